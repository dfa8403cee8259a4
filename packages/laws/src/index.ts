/**
 * @jepa-ts/laws — property-based testing for users: fast-check arbitraries for model code (keys,
 * shapes, layer configs, input data, image batches, mask sets) and the laws every layer, masking
 * strategy and SSL family must obey, each checked in one call (`checkLayer`, `checkMasks`,
 * `checkFamily`) with shrunk, readable counterexamples. docs/laws.md lists each law and what it catches.
 */
export * from './law-error.ts'
export * from './tensors.ts'
export * from './arbitraries.ts'
export * from './layer-laws.ts'
export * from './mask-laws.ts'
export * from './family-laws.ts'
