/** @jepa-ts/eval */
export {}
