/** @jepa-ts/ssl */
export {}
