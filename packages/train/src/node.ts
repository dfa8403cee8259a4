/**
 * @jepa-ts/train/node — the node-side half of training: the training loop, run directories and
 * their lock, checkpoints and snapshots, the metrics log, progress reporting and resume.
 */
export * from './run-dir.ts'
export * from './checkpoint.ts'
export * from './metrics-log.ts'
export * from './progress.ts'
export * from './resume.ts'
export * from './loop.ts'
export * from './run-lock.ts'
export * from './snapshots.ts'
