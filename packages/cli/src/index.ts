/** @jepa-ts/cli */
export {}
