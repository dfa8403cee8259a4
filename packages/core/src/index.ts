/** @jepa-ts/core — keys, shapes, layers, combinators, param trees, interpreters, errors. */
export * from './key.ts'
export * from './shape.ts'
export * from './errors.ts'
export * from './tree.ts'
export * from './layer.ts'
export * from './compose-types.ts'
export * from './combinators.ts'
