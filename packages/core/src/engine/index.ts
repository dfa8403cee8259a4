/** Backend selection (being written). */
export {}
