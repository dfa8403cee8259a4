/** Safetensors and param-tree files (being written). */
export {}
