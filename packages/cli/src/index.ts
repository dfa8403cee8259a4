/**
 * @jepa-ts/cli — the `jepa` command as a library: what `jepa train`, `eval`, `compare` and `sweep`
 * do, callable with your own family registry and output (`CommandIo`), the family registry and its
 * entry type (a family written outside this repository is a `FamilyEntry`, registered here or
 * named by path in a run config), run configs, and importing official PyTorch checkpoints. The
 * evaluation protocol, the representation monitor and the charts are re-exported from
 * @jepa-ts/eval(/node), where they live.
 *
 *   import { defaultFamilies, familyEntry, familyRegistry, runTrain } from '@jepa-ts/cli'
 *   const families = familyRegistry([...defaultFamilies.values(), myEntry])
 *   const code = await runTrain('run.json', { backend: 'cpu', steps: 10 }, consoleIo, families)
 */
export { type CommandIo, type TrainCommandOptions, type TrainRunOptions, EXIT, activateBackend, consoleIo, defaultOutDir, runTrain, secondsNote, trainRunConfig, withInterrupt } from './commands/train.ts'
export { type CheckpointEvaluation, type EvalCommandOptions, checkpointPathOf, configOfCheckpoint, evaluateCheckpoint, runEval, throughputOf } from './commands/eval.ts'
export { type CompareOptions, DEFAULT_CURVE, barRows, compareFigures, reproduceCommand, resultsMarkdown, runCompare, runNames } from './commands/compare.ts'
export { type SweepOptions, runSweep } from './commands/sweep.ts'
export { type FamilyBuildOptions, type FamilyEntry, type FamilyRegistry, LinearAeConfigCodec, defaultFamilies, familyEntry, familyRegistry } from './commands/families.ts'
export { type BudgetOverride, type RunConfig, type TrainSection, TrainSectionCodec, decodeRunConfig, decodeRunConfigWithModules, readRunConfig } from './config.ts'
export { FAMILY_MODULE_CONTRACT, absoluteFamilyPath, isFamilyPath, loadFamilyModule, withFamilyModule } from './family-module.ts'
export { DATASET_KEY, loadSplit } from './commands/train-dataset.ts'
export { jepaProgram } from './program.ts'
export { EXIT_INTERNAL, runProgram } from './run-program.ts'
export { type ImportFamily, type ImportResult, type ImportTorchOptions, IMPORT_FAMILIES, POS_EMBED_TOLERANCE, importTorchCheckpoint, isImportFamily } from './import/import-torch.ts'
export type { ImportPlan, PlannedBuffer, PlannedCopy } from './import/import-plan.ts'
// where they live: the evaluation protocol, the training monitor and the charts
export { type EvalData, type EvalSettings, EVAL_DEFAULTS, evalData, evaluateState, featuresOf, fixedSample, padToFor, rawPixelRow, representationMonitor, tokensOf } from '@jepa-ts/eval/node'
export { type ChartSeries, type LineChart, compareTable, lineChartSvg, writeBarChartSvg } from '@jepa-ts/eval'
/** `jepa serve`'s server, for embedding it or starting it from a script (docs/serve.md). */
export { type RunningServer, type ServeOptions, DEFAULT_TRAIN_SAMPLE, startServer } from './serve/server.ts'
