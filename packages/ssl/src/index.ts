/** @jepa-ts/ssl — energies, EMA target updates, stop-gradient, the families (I-JEPA, MAE and the joint-embedding ones) and their augmentations. */
export * from './energies/index.ts'
export * from './ema.ts'
export * from './stop-gradient.ts'
export * from './families/index.ts'
export * from './augment/index.ts'
