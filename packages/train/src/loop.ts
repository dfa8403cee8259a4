/**
 * The training loop shared by every family: data order, step keys, metrics, progress, checkpoints,
 * resume, divergence and interruption.
 *
 *   train({ family, dataset, batchSize, steps | wallClockSeconds, key, outDir, checkpointEvery, … })
 *     → { outcome: 'completed' | 'diverged' | 'interrupted', step, state, checkpoint, … }
 *
 * Guarantees:
 * - Step k (0-based) trains on `batchAt(stream(key, 'data'), N, B, k, { dropLast: true })` with step
 *   key `fold(stream(key, 'step'), k)`; the initial state is `family.init(stream(key, 'init'))`.
 *   Both are pure functions of k, so `resume` needs no replay: k steps, then resume for k more, gives
 *   bit-identical tensors to 2k steps in one go.
 * - A checkpoint is written (see `checkpoint.ts`: atomic, previous one kept) every `checkpointEvery`
 *   steps and when the budget is reached. A `steps` budget counts total steps (a run resumed at step
 *   s with `steps: 2s` does s more); a `wallClockSeconds` budget counts this invocation's time.
 * - The run directory is checked writable before anything is computed (`RunDirError`); a new run
 *   refuses a directory that already holds a checkpoint; a resumed one validates it (`resume.ts`).
 * - A loss that is NaN or ±Infinity stops the run at once: nothing is written over the last good
 *   checkpoint; the outcome is `diverged` with a message naming the step and that checkpoint.
 * - `signal` (wired to SIGINT by the CLI) is checked between steps: the step in flight finishes, no
 *   checkpoint write is ever cut, and the outcome is `interrupted` with the last good checkpoint.
 * - `snapshotFractions`: when a step ends past one of these fractions of the budget, a snapshot of
 *   the state is written to `snapshots/step-<k>.safetensors` (`snapshots.ts`; never the checkpoint).
 * - metrics.jsonl gets one line per step (`metrics-log.ts`); every `monitor.every` steps the
 *   monitor's numbers (RankMe, collapse std) join that step's line.
 * Ownership: the returned `state` is the caller's (dispose it with `disposeState`). Batch tensors are
 * disposed each step.
 */
import * as tf from '@tensorflow/tfjs'
import { type Key, type WriteAll, fold, stream, keyToString } from '@jepa-ts/core'
import { type ImageDataset, batchAt, toBatchTensor, stepsPerEpoch } from '@jepa-ts/data'
import type { Family, TrainState } from './family.ts'
import { type CheckpointMeta, type JsonValue, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, writeCheckpoint } from './checkpoint.ts'
import { type MetricsRecord, openMetricsLog } from './metrics-log.ts'
import type { ProgressReporter } from './progress.ts'
import { startingState } from './resume.ts'
import { prepareRunDir } from './run-dir.ts'
import { checkSnapshotFractions, dueSnapshots, writeSnapshot } from './snapshots.ts'

/** Periodic measurements of the representation (e.g. RankMe and collapse std on a fixed batch). */
export interface TrainMonitor {
  /** Run after every `every`-th step. */
  readonly every: number
  /** Numbers to add to that step's metrics line; must not dispose or keep the state. */
  measure(state: TrainState): Promise<Readonly<Record<string, number>>>
}

/** Options of `train`. */
export interface TrainOptions {
  readonly family: Family
  /** The run's config as JSON: stored in checkpoints, compared on resume. */
  readonly config: JsonValue
  readonly dataset: ImageDataset
  readonly batchSize: number
  /** Total optimizer steps (including those of a resumed checkpoint). */
  readonly steps?: number
  /** Wall-clock seconds for this invocation. With `steps` too, whichever ends first. */
  readonly wallClockSeconds?: number
  readonly key: Key
  readonly outDir: string
  /** Steps between checkpoints (a final one is written when the budget is reached). */
  readonly checkpointEvery: number
  readonly resume?: boolean
  /** Zero-pad images to this side (e.g. 28 → 32). */
  readonly padTo?: number
  readonly monitor?: TrainMonitor
  /** Called with each metrics line after it is written. */
  readonly onMetrics?: (record: MetricsRecord) => void
  readonly progress?: ProgressReporter
  /** Aborting stops the run between steps. */
  readonly signal?: AbortSignal
  /**
   * Fractions of the budget (each in (0, 1)) at which a snapshot is written to
   * `snapshots/step-<k>.safetensors` (`snapshots.ts`), for learning curves. Default none.
   */
  readonly snapshotFractions?: readonly number[]
  /** Failure injection for checkpoint writes (tests). */
  readonly writeAll?: WriteAll
}

/** How a run ended. */
export type TrainOutcome = 'completed' | 'diverged' | 'interrupted'

/** What `train` returns. */
export interface TrainResult {
  readonly outcome: TrainOutcome
  /** Steps done. */
  readonly step: number
  /** The final state (the caller disposes it). After divergence it holds the non-finite step's result. */
  readonly state: TrainState
  /** The last good checkpoint, if any. */
  readonly checkpoint: string | undefined
  readonly resumedFrom: string | undefined
  /** One sentence for people about how the run ended. */
  readonly message: string
  /** Seconds spent in this invocation's steps and checkpoints. */
  readonly wallSeconds: number
  /** Mean throughput of this invocation. */
  readonly imagesPerSecond: number
  readonly metricsPath: string
}

const checkBudget = (o: TrainOptions): void => {
  const positiveInt = (name: string, v: number | undefined): void => {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) throw new RangeError(`train: ${name} must be a positive integer, got ${v}`)
  }
  if (o.steps === undefined && o.wallClockSeconds === undefined) throw new RangeError('train: give a budget: steps or wallClockSeconds')
  positiveInt('steps', o.steps)
  positiveInt('batchSize', o.batchSize)
  positiveInt('checkpointEvery', o.checkpointEvery)
  if (o.monitor !== undefined) positiveInt('monitor.every', o.monitor.every)
  if (o.wallClockSeconds !== undefined && !(o.wallClockSeconds > 0 && Number.isFinite(o.wallClockSeconds))) {
    throw new RangeError(`train: wallClockSeconds must be a positive number, got ${o.wallClockSeconds}`)
  }
  stepsPerEpoch(o.dataset.size, o.batchSize, { dropLast: true })
  checkSnapshotFractions(o.snapshotFractions ?? [])
}

/** The metadata a checkpoint of this run carries, except the step. */
export const runMeta = (o: Pick<TrainOptions, 'family' | 'config' | 'key' | 'dataset' | 'batchSize'>): Omit<CheckpointMeta, 'step'> => ({
  format: CHECKPOINT_FORMAT,
  version: CHECKPOINT_VERSION,
  family: o.family.name,
  config: o.config,
  key: keyToString(o.key),
  dataset: o.dataset.name,
  datasetSize: o.dataset.size,
  batchSize: o.batchSize,
})

/** The images of step `k` of a run (what the loop feeds `family.step`). The caller disposes them. */
export const stepBatch = (dataset: ImageDataset, key: Key, batchSize: number, k: number, padTo?: number): tf.Tensor4D =>
  toBatchTensor(dataset, batchAt(stream(key, 'data'), dataset.size, batchSize, k, { dropLast: true }), padTo === undefined ? {} : { padTo })

/** The key of step `k`. */
export const stepKey = (key: Key, k: number): Key => fold(stream(key, 'step'), k)

/** Trains `family` (see the module contract). */
export const train = async (o: TrainOptions): Promise<TrainResult> => {
  checkBudget(o)
  const paths = prepareRunDir(o.outDir)
  const meta = runMeta(o)
  const start = await startingState(o.family, stream(o.key, 'init'), paths, o.resume ?? false, meta)
  let state = start.state
  const firstStep = state.step
  let checkpoint = start.resumedFrom
  const metrics = openMetricsLog(paths.metrics, start.resumedFrom === undefined ? undefined : firstStep)
  const began = performance.now()
  const elapsed = (): number => (performance.now() - began) / 1000
  const budgetDone = (): boolean =>
    (o.steps !== undefined && state.step >= o.steps) || (o.wallClockSeconds !== undefined && elapsed() >= o.wallClockSeconds)
  const save = async (): Promise<void> => {
    await writeCheckpoint(paths, state, { ...meta, step: state.step }, o.writeAll === undefined ? {} : { writeAll: o.writeAll })
    checkpoint = paths.checkpoint
  }
  const budgetFraction = (): number =>
    Math.max(o.steps !== undefined ? state.step / o.steps : 0, o.wallClockSeconds !== undefined ? elapsed() / o.wallClockSeconds : 0)
  const snapshotsDone = new Set<number>()
  const lastGood = (): string => (checkpoint === undefined ? 'no checkpoint was written yet' : `the last good checkpoint is ${checkpoint}`)
  const finish = (outcome: TrainOutcome, message: string): TrainResult => {
    o.progress?.stop()
    const wallSeconds = elapsed()
    const images = (state.step - firstStep) * o.batchSize
    return { outcome, step: state.step, state, checkpoint, resumedFrom: start.resumedFrom, message, wallSeconds, imagesPerSecond: wallSeconds > 0 ? images / wallSeconds : 0, metricsPath: paths.metrics }
  }

  o.progress?.start(o.steps, firstStep)
  try {
    while (!budgetDone()) {
      if (o.signal?.aborted === true) return finish('interrupted', `interrupted after step ${state.step}; ${lastGood()}`)
      const k = state.step
      const t0 = performance.now()
      const images = stepBatch(o.dataset, o.key, o.batchSize, k, o.padTo)
      let result: ReturnType<Family['step']>
      try {
        result = o.family.step(state, images, stepKey(o.key, k))
      } finally {
        images.dispose()
      }
      state = result.state
      const stepSeconds = (performance.now() - t0) / 1000
      const imagesPerSecond = stepSeconds > 0 ? o.batchSize / stepSeconds : 0
      const monitored = o.monitor !== undefined && state.step % o.monitor.every === 0 && Number.isFinite(result.metrics.loss)
        ? await o.monitor.measure(state)
        : {}
      const record: MetricsRecord = { step: state.step, ...result.metrics, ...monitored, imagesPerSecond, elapsedSeconds: elapsed() }
      metrics.append(record)
      o.onMetrics?.(record)
      if (!Number.isFinite(result.metrics.loss)) {
        return finish('diverged', `loss became ${result.metrics.loss} at step ${state.step}; stopped without writing a checkpoint; ${lastGood()}`)
      }
      const done = state.step - firstStep
      const etaSeconds = o.steps !== undefined
        ? ((o.steps - state.step) * elapsed()) / Math.max(done, 1)
        : o.wallClockSeconds !== undefined ? Math.max(0, o.wallClockSeconds - elapsed()) : undefined
      o.progress?.update({ step: state.step, loss: result.metrics.loss, ...(result.metrics.lr === undefined ? {} : { lr: result.metrics.lr }), imagesPerSecond, ...(etaSeconds === undefined ? {} : { etaSeconds }) })
      if (state.step % o.checkpointEvery === 0 && !budgetDone()) await save()
      const due = budgetDone() ? [] : dueSnapshots(o.snapshotFractions ?? [], snapshotsDone, budgetFraction())
      if (due.length > 0) {
        await writeSnapshot(paths.dir, state, { ...meta, step: state.step })
        for (const f of due) snapshotsDone.add(f)
      }
    }
    if (state.step !== firstStep || checkpoint === undefined) await save()
    return finish('completed', `trained to step ${state.step}; checkpoint ${paths.checkpoint}`)
  } catch (e) {
    o.progress?.stop()
    throw e
  }
}
