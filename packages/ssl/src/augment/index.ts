/** Key-seeded batched image augmentations for the joint-embedding families' views. */
export * from './augment.ts'
export * from './flip.ts'
export * from './random-resized-crop.ts'
export * from './color-jitter.ts'
export * from './gaussian-blur.ts'
export * from './gaussian-noise.ts'
export * from './views-config.ts'
