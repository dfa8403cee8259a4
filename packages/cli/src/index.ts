/** @jepa-ts/cli — the `jepa` command's API: importing official PyTorch checkpoints into run directories. */
export { type ImportFamily, type ImportResult, type ImportTorchOptions, IMPORT_FAMILIES, POS_EMBED_TOLERANCE, importTorchCheckpoint, isImportFamily } from './import/import-torch.ts'
export type { ImportPlan, PlannedBuffer, PlannedCopy } from './import/import-plan.ts'
