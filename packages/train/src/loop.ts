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
 * - The run directory is checked writable before anything is computed (`RunDirError`) and locked for
 *   the run (`run-lock.ts`: a second run into it is refused naming the first one's pid; a stale lock
 *   is recovered); temp files left by interrupted writes are removed. A new run refuses a directory
 *   that already holds a checkpoint (or only its backup); a resumed one validates it (`resume.ts`).
 * - A loss that is NaN or ±Infinity stops the run at once: nothing is written over the last good
 *   checkpoint; the outcome is `diverged` with a message naming the step and that checkpoint.
 * - `signal` (wired to SIGINT by the CLI) is seen at the next step: the loop yields to the event loop
 *   after every step (`setImmediate`), the step in flight finishes, a checkpoint of the step reached is
 *   written (unless one of that step exists or no step was taken), no checkpoint write is ever cut, and the outcome is
 *   `interrupted` naming that checkpoint.
 * - `snapshotFractions`: when a step ends past one of these fractions of the budget, a snapshot of
 *   the state is written to `snapshots/step-<k>.safetensors` (`snapshots.ts`; never the checkpoint).
 * - The step reads nothing from the device: the loop runs `family.stepDeferred` (or the family's
 *   host `step`) and reads its metrics with one awaited `readMetrics` per step, so the loop runs on
 *   webgpu, where synchronous reads throw. Checkpoints read the state asynchronously too.
 * - metrics.jsonl gets one line per step (`metrics-log.ts`); every `monitor.every` steps the
 *   monitor's numbers (RankMe, collapse std) join that step's line.
 * Ownership: the returned `state` is the caller's (dispose it with `disposeState`). Batch tensors are
 * disposed each step.
 */
import * as tf from '@tensorflow/tfjs'
import { type Key, fold, stream, keyToString } from '@jepa-ts/core'
import { type WriteAll } from '@jepa-ts/core/node'
import { type ImageDataset, batchAt, toBatchTensor, stepsPerEpoch } from '@jepa-ts/data'
import { type DeferredStep, type Family, type TrainState, readMetrics } from './family.ts'
import { type CheckpointMeta, type JsonValue, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, writeCheckpoint } from './checkpoint.ts'
import { type MetricsRecord, openMetricsLog } from './metrics-log.ts'
import type { ProgressReporter } from './progress.ts'
import { startingState } from './resume.ts'
import { type RunPaths, prepareRunDir, removeDebris } from './run-dir.ts'
import { lockRunDir } from './run-lock.ts'
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
  /** Told one line for people when something needs saying (stale lock, debris, resumed from the backup). */
  readonly notice?: (line: string) => void
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
  /** Seconds of training over every invocation of this run (earlier ones from metrics.jsonl, plus this one). */
  readonly trainedSeconds: number
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
  backend: tf.getBackend(),
})

/** The images of step `k` of a run (what the loop feeds `family.step`). The caller disposes them. */
export const stepBatch = (dataset: ImageDataset, key: Key, batchSize: number, k: number, padTo?: number): tf.Tensor4D =>
  toBatchTensor(dataset, batchAt(stream(key, 'data'), dataset.size, batchSize, k, { dropLast: true }), padTo === undefined ? {} : { padTo })

/** The key of step `k`. */
export const stepKey = (key: Key, k: number): Key => fold(stream(key, 'step'), k)

/** The step the loop runs: the family's deferred step when it has one. */
const stepOf = (family: Family): DeferredStep => family.stepDeferred ?? ((s, i, k) => family.step(s, i, k))

/** Resolves after pending I/O and signal callbacks have run (a training step is synchronous). */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Trains `family` (see the module contract). */
export const train = async (o: TrainOptions): Promise<TrainResult> => {
  checkBudget(o)
  const paths = prepareRunDir(o.outDir)
  const lock = lockRunDir(paths)
  try {
    if (lock.stale !== undefined) o.notice?.(`recovered ${lock.stale}`)
    const debris = removeDebris(paths)
    if (debris.length > 0) o.notice?.(`removed ${debris.length} temp file(s) left by an interrupted write in ${paths.dir}: ${debris.join(', ')}`)
    return await trainLocked(o, paths)
  } finally {
    lock.release()
  }
}

const trainLocked = async (o: TrainOptions, paths: RunPaths): Promise<TrainResult> => {
  const meta = runMeta(o)
  const start = await startingState(o.family, stream(o.key, 'init'), paths, o.resume ?? false, meta)
  for (const line of start.notices) o.notice?.(line)
  let state = start.state
  const firstStep = state.step
  let checkpoint = start.resumedFrom
  let checkpointStep = start.resumedFrom === undefined ? undefined : firstStep
  const metrics = openMetricsLog(paths.metrics, start.resumedFrom === undefined ? undefined : firstStep)
  const began = performance.now()
  const elapsed = (): number => (performance.now() - began) / 1000
  const budgetDone = (): boolean =>
    (o.steps !== undefined && state.step >= o.steps) || (o.wallClockSeconds !== undefined && elapsed() >= o.wallClockSeconds)
  const save = async (): Promise<void> => {
    await writeCheckpoint(paths, state, { ...meta, step: state.step }, o.writeAll === undefined ? {} : { writeAll: o.writeAll })
    checkpoint = paths.checkpoint
    checkpointStep = state.step
  }
  const budgetFraction = (): number =>
    Math.max(o.steps !== undefined ? state.step / o.steps : 0, o.wallClockSeconds !== undefined ? elapsed() / o.wallClockSeconds : 0)
  const snapshotsDone = new Set<number>()
  const lastGood = (): string => (checkpoint === undefined ? 'no checkpoint was written yet' : `the last good checkpoint is ${checkpoint}`)
  const finish = (outcome: TrainOutcome, message: string): TrainResult => {
    o.progress?.stop()
    const wallSeconds = elapsed()
    const images = (state.step - firstStep) * o.batchSize
    return { outcome, step: state.step, state, checkpoint, resumedFrom: start.resumedFrom, message, wallSeconds, trainedSeconds: metrics.priorSeconds + wallSeconds, imagesPerSecond: wallSeconds > 0 ? images / wallSeconds : 0, metricsPath: paths.metrics }
  }

  o.progress?.start(o.steps, firstStep)
  try {
    while (!budgetDone()) {
      await yieldToEventLoop()
      if (o.signal?.aborted === true) {
        if (checkpointStep === state.step || state.step === firstStep) return finish('interrupted', `interrupted after step ${state.step}; ${lastGood()}`)
        await save()
        return finish('interrupted', `interrupted after step ${state.step}; wrote checkpoint ${paths.checkpoint} at step ${state.step}`)
      }
      const k = state.step
      const t0 = performance.now()
      const images = stepBatch(o.dataset, o.key, o.batchSize, k, o.padTo)
      let deferred: ReturnType<DeferredStep>
      try {
        deferred = stepOf(o.family)(state, images, stepKey(o.key, k))
      } finally {
        images.dispose()
      }
      state = deferred.state
      const result = { state, metrics: await readMetrics(deferred.metrics) }
      const stepSeconds = (performance.now() - t0) / 1000
      const imagesPerSecond = stepSeconds > 0 ? o.batchSize / stepSeconds : 0
      const monitored = o.monitor !== undefined && state.step % o.monitor.every === 0 && Number.isFinite(result.metrics.loss)
        ? await o.monitor.measure(state)
        : {}
      const record: MetricsRecord = { step: state.step, ...result.metrics, ...monitored, imagesPerSecond, elapsedSeconds: metrics.priorSeconds + elapsed() }
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
