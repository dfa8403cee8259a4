/**
 * `jepa eval <run dir | checkpoint>`: loads a checkpoint (the family and its config come from the
 * checkpoint's own metadata), extracts features on the train and test splits, and scores them with
 * the linear probe, the attentive probe over the frozen tokens, kNN, RankMe and the collapse
 * monitor, beside the two baselines (raw pixels and
 * the same architecture at its untrained initialization). Prints the table and writes `eval.md`
 * and `eval.json` next to the checkpoint (atomically).
 *
 * Exit codes: 0 done; 2 bad input (a missing, truncated or lying checkpoint, a checkpoint whose
 * family is not in this build, bad data), each with a message naming the file.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Command } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import { atomicWriteFile } from '@jepa-ts/core/node'
import { keyOf, stream } from '@jepa-ts/core'
import { type CompareRow, EvalInputError, compareTable } from '@jepa-ts/eval'
import { disposeState } from '@jepa-ts/train'
import { loadCheckpointFor, parseMetrics, readCheckpoint, type CheckpointMeta, type MetricsRecord } from '@jepa-ts/train/node'
import { type RunConfig, decodeRunConfigWithModules } from '../config.ts'
import { type FamilyRegistry, defaultFamilies } from './families.ts'
import { type CommandIo, EXIT, activateBackend, consoleIo, parsers } from './train.ts'
import { type EvalSettings, EVAL_DEFAULTS, evalData, evaluateState } from '@jepa-ts/eval/node'
import { loadSplit } from './train-dataset.ts'

/** Options of `jepa eval`, as commander parses them. */
export interface EvalCommandOptions {
  readonly data?: string
  readonly backend?: string
  /** The native backend's thread budget (`--threads`). */
  readonly threads?: number
  readonly limit?: number
  readonly label?: string
  readonly probeEpochs?: number
  readonly attentiveEpochs?: number
  readonly out?: string
}

/** The checkpoint of a run directory, or the file itself. */
export const checkpointPathOf = (target: string): string =>
  existsSync(target) && statSync(target).isDirectory() ? join(target, 'checkpoint.safetensors') : target

/** The run config stored in a checkpoint, decoded against this build's families (or the family module it names). */
export const configOfCheckpoint = async (path: string, meta: CheckpointMeta, registry: FamilyRegistry): Promise<E.Either<string, RunConfig>> => {
  const r = await decodeRunConfigWithModules(meta.config, registry, dirname(path), `${path} (metadata.config)`, { steps: Math.max(1, meta.step) })
  return E.isLeft(r) ? E.left(r.left.format()) : r
}

/** Throughput and time of a run from its metrics file (mean images/s, last elapsed seconds). */
export const throughputOf = (records: readonly MetricsRecord[]): Pick<CompareRow, 'imagesPerSecond' | 'wallSeconds'> => {
  const ips = records.map((r) => r.imagesPerSecond).filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
  const last = records.at(-1)?.elapsedSeconds
  return {
    ...(ips.length === 0 ? {} : { imagesPerSecond: ips.reduce((a, b) => a + b, 0) / ips.length }),
    ...(typeof last === 'number' ? { wallSeconds: last } : {}),
  }
}

/** The rows of one checkpoint: trained, random init, raw pixels. */
export interface CheckpointEvaluation {
  readonly rows: readonly CompareRow[]
  readonly meta: CheckpointMeta
  readonly notes: readonly string[]
}

/** Evaluates a checkpoint and the baselines; Left(message naming the file) for bad input. */
export const evaluateCheckpoint = async (
  checkpoint: string,
  options: { readonly data?: string; readonly limit?: number; readonly label?: string; readonly probeEpochs?: number; readonly attentiveEpochs?: number; readonly rawPixels?: boolean; readonly randomInit?: boolean },
  registry: FamilyRegistry = defaultFamilies,
): Promise<E.Either<string, CheckpointEvaluation>> => {
  let file
  try {
    file = await readCheckpoint(checkpoint)
  } catch (e) {
    return E.left(e instanceof Error ? e.message : String(e))
  }
  const run = await configOfCheckpoint(checkpoint, file.meta, registry)
  if (E.isLeft(run)) return run
  const train = loadSplit('train', options.data)
  if (E.isLeft(train)) return train
  const test = loadSplit('test', options.data)
  if (E.isLeft(test)) return test
  const notes: string[] = []
  if (train.right.source === 'synthetic-shapes') notes.push(train.right.note)
  if (train.right.dataset.name !== file.meta.dataset) notes.push(`the checkpoint was trained on ${file.meta.dataset}; evaluating on ${train.right.dataset.name}`)
  const settings: EvalSettings = {
    ...EVAL_DEFAULTS,
    ...(options.probeEpochs === undefined ? {} : { probeEpochs: options.probeEpochs }),
    ...(options.attentiveEpochs === undefined ? {} : { attentiveEpochs: options.attentiveEpochs }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    ...(options.label === undefined ? {} : { label: options.label }),
    key: stream(keyOf(run.right.train.seed), 'eval'),
  }
  const data = evalData(train.right.dataset, test.right.dataset, settings)
  if (E.isLeft(data)) return data
  const family = run.right.family
  const initKey = stream(keyOf(run.right.train.seed), 'init')
  let loaded
  try {
    loaded = await loadCheckpointFor(family, initKey, checkpoint)
  } catch (e) {
    return E.left(e instanceof Error ? e.message : String(e))
  }
  let rows: E.Either<string, readonly CompareRow[]>
  try {
    const name = run.right.familyName
    rows = await evaluateState({ method: `${name} (step ${file.meta.step})`, randomInit: `${name} (random init)` }, family, loaded.state, initKey, data.right, settings, {
      ...(options.randomInit === undefined ? {} : { randomInit: options.randomInit }),
      ...(options.rawPixels === undefined ? {} : { rawPixels: options.rawPixels }),
    })
  } finally {
    disposeState(loaded.state)
  }
  if (E.isLeft(rows)) return rows
  const metricsFile = join(dirname(checkpoint), 'metrics.jsonl')
  const throughput = existsSync(metricsFile) ? throughputOf(parseMetrics(readFileSync(metricsFile, 'utf8'))) : {}
  const [trained, ...baselines] = rows.right
  return E.right({ rows: [{ ...trained!, ...throughput }, ...baselines], meta: file.meta, notes })
}

/** Runs `jepa eval` and returns its exit code. */
export const runEval = async (target: string, options: EvalCommandOptions, io: CommandIo = consoleIo, registry: FamilyRegistry = defaultFamilies): Promise<number> => {
  const backend = await activateBackend(options.backend, io, options.threads)
  if (E.isLeft(backend)) {
    io.err(`jepa eval: ${backend.left}`)
    return EXIT.badInput
  }
  const checkpoint = checkpointPathOf(target)
  const started = performance.now()
  let r: Awaited<ReturnType<typeof evaluateCheckpoint>>
  try {
    r = await evaluateCheckpoint(checkpoint, options, registry)
  } catch (e) {
    // A checkpoint whose values the evaluation refuses (e.g. NaN params give NaN features).
    if (!(e instanceof EvalInputError)) throw e
    r = E.left(`${checkpoint}: ${e.message}`)
  }
  if (E.isLeft(r)) {
    io.err(`jepa eval: ${r.left}`)
    return EXIT.badInput
  }
  for (const note of r.right.notes) io.err(`note: ${note}`)
  const table = compareTable(r.right.rows)
  io.out(table)
  const outDir = options.out ?? dirname(checkpoint)
  const seconds = (performance.now() - started) / 1000
  try {
    mkdirSync(outDir, { recursive: true })
    await atomicWriteFile(join(outDir, 'eval.md'), new TextEncoder().encode(`# Evaluation of ${checkpoint}\n\n${table}\n(${seconds.toFixed(1)} s; limit ${options.limit ?? 'none'})\n`))
    await atomicWriteFile(join(outDir, 'eval.json'), new TextEncoder().encode(`${JSON.stringify({ checkpoint, step: r.right.meta.step, rows: r.right.rows }, null, 2)}\n`))
  } catch (e) {
    io.err(`jepa eval: ${e instanceof Error ? e.message : String(e)}`)
    return EXIT.badInput
  }
  io.err(`wrote ${join(outDir, 'eval.md')} and eval.json (${seconds.toFixed(1)} s)`)
  return EXIT.ok
}

export const register = (program: Command): void => {
  program
    .command('eval')
    .description('evaluate a checkpoint: linear probe, kNN, RankMe, collapse std, beside raw pixels and the untrained architecture')
    .argument('<checkpoint>', 'a run directory or a checkpoint.safetensors file')
    .option('--data <dir>', 'Fashion-MNIST IDX folder, or "synthetic" for the synthetic shapes (default: Debian\'s install, else synthetic shapes)')
    .option('--backend <name>', 'auto | native | wasm | cpu | webgpu | tensorflow', 'auto')
    .option('--threads <n>', 'threads of the native backend, its pool and OpenBLAS together (default: JEPA_THREADS, else the machine\'s cores)', parsers.positiveInt('--threads'))
    .option('--limit <n>', 'at most n train and n test images (default: all)', parsers.positiveInt('--limit'))
    .option('--label <field>', 'label field to probe (default: the dataset\'s first)')
    .option('--probe-epochs <n>', `linear-probe epochs (default ${EVAL_DEFAULTS.probeEpochs})`, parsers.positiveInt('--probe-epochs'))
    .option('--attentive-epochs <n>', `attentive-probe epochs, 0 = off (default ${EVAL_DEFAULTS.attentiveEpochs})`, parsers.nonNegativeInt('--attentive-epochs'))
    .option('--out <dir>', 'where eval.md and eval.json go (default: next to the checkpoint)')
    .action(async (target: string, options: EvalCommandOptions) => {
      process.exitCode = await runEval(target, options)
    })
}
