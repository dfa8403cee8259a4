/** @jepa-ts/train */
export {}
