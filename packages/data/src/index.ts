/** @jepa-ts/data */
export {}
