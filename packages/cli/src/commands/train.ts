/**
 * `jepa train <config>`: trains one family from a run config (see `config.ts`) into a run
 * directory — checkpoint.safetensors (+ .prev), metrics.jsonl — with a progress bar on a TTY and
 * plain lines otherwise.
 *
 * Exit codes: 0 trained to the budget; 1 the loss became NaN/Inf (the last good checkpoint is kept
 * and named); 2 bad input (config, data, output directory, checkpoint) with a message naming the
 * file or field; 130 interrupted by Ctrl-C (the step in flight finishes, a checkpoint write is never
 * cut; the last good checkpoint is named).
 */
import { basename, extname, join } from 'node:path'
import { type Command, InvalidArgumentError } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import { keyOf } from '@jepa-ts/core'
import { describeAdapter, useBackend, parseBackendChoice } from '@jepa-ts/engine'
import { datasetSummary } from '@jepa-ts/data'
import { type ProgressReporter, type TrainResult, train, consoleProgress } from '@jepa-ts/train/node'
import { disposeState } from '@jepa-ts/train'
import { type BudgetOverride, type RunConfig, readRunConfig } from '../config.ts'
import { type FamilyRegistry, defaultFamilies } from './families.ts'
import { padToFor, representationMonitor } from '@jepa-ts/eval/node'
import { loadSplit } from './train-dataset.ts'

/** Where a command writes for people. */
export interface CommandIo {
  readonly out: (line: string) => void
  readonly err: (line: string) => void
  /** A progress reporter for a training run; none when absent. */
  readonly progress?: () => ProgressReporter
}

/** The console, with a progress bar on a TTY stderr and plain lines otherwise. */
export const consoleIo: CommandIo = { out: (l) => console.log(l), err: (l) => console.error(l), progress: () => consoleProgress(process.stderr) }

/** Options of `jepa train`, as commander parses them. */
export interface TrainCommandOptions {
  readonly out?: string
  readonly resume?: boolean
  readonly data?: string
  readonly backend?: string
  /** The native backend's thread budget (`--threads`). */
  readonly threads?: number
  readonly steps?: number
  readonly seconds?: number
  readonly seed?: number
}

/** Exit codes of the commands that train. */
export const EXIT = { ok: 0, diverged: 1, badInput: 2, interrupted: 130 } as const

/** The default run directory of a config file: `runs/<name without .json>`. */
export const defaultOutDir = (configPath: string): string => join('runs', basename(configPath, extname(configPath)))

/**
 * Activates the backend, printing its notice; Left(message) when an explicit choice fails.
 * `threads` (`--threads`) is the native backend's thread budget.
 */
export const activateBackend = async (name: string | undefined, io: CommandIo, threads?: number): Promise<E.Either<string, string>> => {
  const choice = parseBackendChoice(name ?? 'auto')
  if (typeof choice !== 'string') return E.left(`--backend: ${choice.error}`)
  try {
    const info = await useBackend(choice, threads === undefined ? {} : { threads })
    if (info.notice !== undefined) io.err(`note: ${info.notice}`)
    else if (info.name === 'webgpu' && info.adapter !== undefined) io.err(`note: webgpu adapter ${describeAdapter(info.adapter)}`)
    return E.right(info.name)
  } catch (e) {
    return E.left(e instanceof Error ? e.message : String(e))
  }
}

/** What a training run needs beyond its config. */
export interface TrainRunOptions {
  readonly outDir: string
  readonly resume: boolean
  readonly dataPath?: string
  readonly progress?: ProgressReporter
  readonly signal?: AbortSignal
  /** Fractions of the budget at which snapshots are written (learning curves); none by default. */
  readonly snapshotFractions?: readonly number[]
}

/** Trains a decoded run config; Left(message) for bad data. The caller disposes `result.state`. */
export const trainRunConfig = async (run: RunConfig, o: TrainRunOptions, io: CommandIo): Promise<E.Either<string, TrainResult>> => {
  const data = loadSplit('train', o.dataPath)
  if (E.isLeft(data)) return data
  if (data.right.source === 'synthetic-shapes') io.err(`note: ${data.right.note}`)
  const dataset = data.right.dataset
  const padTo = padToFor(dataset, run.family)
  if (E.isLeft(padTo)) return padTo
  io.err(`${run.familyName}: ${datasetSummary(dataset)}${padTo.right === undefined ? '' : `, zero-padded to ${padTo.right}×${padTo.right}`}; run directory ${o.outDir}`)
  const t = run.train
  const monitor = t.monitorEvery > 0 ? representationMonitor(run.family, dataset, padTo.right, t.monitorEvery, t.monitorImages) : undefined
  const result = await train({
    family: run.family,
    config: run.json,
    dataset,
    batchSize: t.batchSize,
    ...(t.steps === undefined ? {} : { steps: t.steps }),
    ...(t.wallClockSeconds === undefined ? {} : { wallClockSeconds: t.wallClockSeconds }),
    key: keyOf(t.seed),
    outDir: o.outDir,
    checkpointEvery: t.checkpointEvery,
    resume: o.resume,
    ...(padTo.right === undefined ? {} : { padTo: padTo.right }),
    ...(monitor === undefined ? {} : { monitor }),
    ...(o.progress === undefined ? {} : { progress: o.progress }),
    ...(o.signal === undefined ? {} : { signal: o.signal }),
    notice: (line) => io.err(`note: ${line}`),
    ...(o.snapshotFractions === undefined ? {} : { snapshotFractions: o.snapshotFractions }),
  })
  return E.right(result)
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** What `--seconds` without `--steps` means for the schedules (printed before training). */
export const secondsNote = (seconds: number, scheduleSteps: number): string =>
  `note: --seconds ${seconds} is the budget, not a schedule: the lr, weight-decay and EMA schedules last ${scheduleSteps} steps (train.scheduleSteps) and steps past ${scheduleSteps} run at their final values; add --steps ${scheduleSteps} to stop there, or set train.scheduleSteps to the steps the budget allows`

/** Runs `jepa train` and returns its exit code. */
export const runTrain = async (configPath: string, options: TrainCommandOptions, io: CommandIo = consoleIo, registry: FamilyRegistry = defaultFamilies, signal?: AbortSignal): Promise<number> => {
  const budget: BudgetOverride = { ...(options.steps === undefined ? {} : { steps: options.steps }), ...(options.seconds === undefined ? {} : { wallClockSeconds: options.seconds }), ...(options.seed === undefined ? {} : { seed: options.seed }) }
  const run = await readRunConfig(configPath, registry, budget)
  if (E.isLeft(run)) {
    io.err(run.left.format())
    return EXIT.badInput
  }
  if (options.seconds !== undefined && options.steps === undefined) io.err(secondsNote(options.seconds, run.right.scheduleSteps))
  const backend = await activateBackend(options.backend, io, options.threads)
  if (E.isLeft(backend)) {
    io.err(`jepa train: ${backend.left}`)
    return EXIT.badInput
  }
  let result: E.Either<string, TrainResult>
  try {
    result = await trainRunConfig(run.right, {
      outDir: options.out ?? defaultOutDir(configPath),
      resume: options.resume ?? false,
      ...(options.data === undefined ? {} : { dataPath: options.data }),
      ...(io.progress === undefined ? {} : { progress: io.progress() }),
      ...(signal === undefined ? {} : { signal }),
    }, io)
  } catch (e) {
    io.err(`jepa train: ${messageOf(e)}`)
    return EXIT.badInput
  }
  if (E.isLeft(result)) {
    io.err(`jepa train: ${result.left}`)
    return EXIT.badInput
  }
  const r = result.right
  disposeState(r.state)
  if (r.outcome === 'completed') {
    io.out(`${r.message} (${r.imagesPerSecond.toFixed(1)} images/s, ${r.wallSeconds.toFixed(1)} s); metrics ${r.metricsPath}`)
    return EXIT.ok
  }
  io.err(`jepa train: ${r.message}`)
  return r.outcome === 'diverged' ? EXIT.diverged : EXIT.interrupted
}

/** Runs `body` with Ctrl-C turned into an abort signal (a second Ctrl-C does not cut a checkpoint write). */
export const withInterrupt = async <A>(body: (signal: AbortSignal) => Promise<A>, io: CommandIo): Promise<A> => {
  const controller = new AbortController()
  const onSigint = (): void => {
    if (!controller.signal.aborted) io.err('\ninterrupt: stopping after the current step and writing a checkpoint…')
    else io.err('interrupt: still finishing the current step or checkpoint write; it will not be cut')
    controller.abort()
  }
  process.on('SIGINT', onSigint)
  try {
    return await body(controller.signal)
  } finally {
    process.off('SIGINT', onSigint)
  }
}

const positiveInt = (flag: string) => (value: string): number => {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} expects a positive integer, got "${value}"`)
  return n
}

const nonNegativeInt = (flag: string) => (value: string): number => {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 0 || value.trim() === '') throw new InvalidArgumentError(`${flag} expects an integer ≥ 0, got "${value}"`)
  return n
}

const positiveNumber = (flag: string) => (value: string): number => {
  const n = Number(value)
  if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`${flag} expects a positive number, got "${value}"`)
  return n
}

/** Shared option parsers. */
export const parsers = { positiveInt, nonNegativeInt, positiveNumber }

export const register = (program: Command): void => {
  program
    .command('train')
    .description('train a family from a JSON run config; writes checkpoint.safetensors and metrics.jsonl to the run directory')
    .argument('<config>', 'run config JSON: { family, model, train }')
    .option('--out <dir>', 'run directory (default: runs/<config name>)')
    .option('--resume', 'continue from the run directory\'s checkpoint (bit-exact)')
    .option('--data <dir>', 'Fashion-MNIST IDX folder, or "synthetic" for the synthetic shapes (default: Debian\'s install, else synthetic shapes)')
    .option('--backend <name>', 'auto | native | wasm | cpu | webgpu | tensorflow', 'auto')
    .option('--threads <n>', 'threads of the native backend, its pool and OpenBLAS together (default: JEPA_THREADS, else the machine\'s cores)', positiveInt('--threads'))
    .option('--steps <n>', 'step budget (overrides train.steps)', positiveInt('--steps'))
    .option('--seconds <s>', 'wall-clock budget (overrides train.wallClockSeconds)', positiveNumber('--seconds'))
    .option('--seed <n>', 'overrides train.seed', nonNegativeInt('--seed'))
    .action(async (configPath: string, options: TrainCommandOptions) => {
      process.exitCode = await withInterrupt((signal) => runTrain(configPath, options, consoleIo, defaultFamilies, signal), consoleIo)
    })
}
