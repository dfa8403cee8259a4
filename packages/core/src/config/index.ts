/**
 * Config kit: io-ts codecs with brands, strict objects, defaults, cross-field rules, and readable
 * errors (`Expecting PositiveInt at model.patchSize but instead got: "16"`). Decode once, at the edge.
 */
export * from './brands.ts'
export * from './interval.ts'
export * from './exact.ts'
export * from './defaults.ts'
export * from './refine.ts'
export * from './config-error.ts'
export * from './context-path.ts'
export * from './decode.ts'
export * from './json-syntax.ts'
