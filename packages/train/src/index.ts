/**
 * @jepa-ts/train — the browser-safe half of training: AdamW over param trees, schedules, the
 * family adapter (`Family`, `TrainState`, `lossAndGrads`) and a reference linear-autoencoder family.
 * The loop, run directories, checkpoints, metrics logs, progress bars and resume (files, cli-progress)
 * are `@jepa-ts/train/node`.
 */
export * from './schedules.ts'
export * from './adamw.ts'
export * from './family.ts'
export * from './loop-linear-autoencoder.ts'
