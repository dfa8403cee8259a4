/** Engine: backend selection and the fixes that make tfjs backends fit for training. */
export * from './backends.ts'
export * from './wasm-fixes.ts'
