/** @jepa-ts/ssl — energies, EMA target updates, stop-gradient (the families are added beside them). */
export * from './energies/index.ts'
export * from './ema.ts'
export * from './stop-gradient.ts'
export * from './families/index.ts'
export * from './augment/index.ts'
