/**
 * @jepa-ts/masks — masking strategies for masked-prediction SSL over a patch grid (I-JEPA multi-block
 * in reference and corrected variants, rasterized quadrants, single block, MAE random), the mask
 * collator that turns them into [B, K] int32 index data, the config codecs, and rasterized pictures
 * (their PNG and SVG encodings: `@jepa-ts/masks/node`).
 * Pure TypeScript, no tfjs; randomness only from `@jepa-ts/core` keys.
 */
export * from './grid.ts'
export * from './block.ts'
export * from './image-masks.ts'
export * from './index-batch.ts'
export * from './settings.ts'
export * from './multi-block.ts'
export * from './rasterized.ts'
export * from './single-block.ts'
export * from './random.ts'
export * from './check.ts'
export * from './collator.ts'
export * from './config.ts'
export * from './font.ts'
export * from './render.ts'
