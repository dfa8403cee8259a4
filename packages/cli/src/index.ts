/** @jepa-ts/cli — the `jepa` command's API: importing official PyTorch checkpoints into run directories, and the server of `jepa serve`. */
export { type ImportFamily, type ImportResult, type ImportTorchOptions, IMPORT_FAMILIES, POS_EMBED_TOLERANCE, importTorchCheckpoint, isImportFamily } from './import/import-torch.ts'
export type { ImportPlan, PlannedBuffer, PlannedCopy } from './import/import-plan.ts'
/** `jepa serve`'s server, for embedding it or starting it from a script (docs/serve.md). */
export { type RunningServer, type ServeOptions, DEFAULT_TRAIN_SAMPLE, startServer } from './serve/server.ts'
