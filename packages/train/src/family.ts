/**
 * The contract every SSL family satisfies, so one training loop, one checkpoint format and one
 * evaluation serve I-JEPA, MAE and the joint-embedding families alike.
 *
 * A family is a value `{ name, init, step, features, … }` of pure functions:
 * - `init(key, imageDims)` creates the training state: `params` (trained by the optimizer), `target`
 *   (never differentiated: the EMA encoder of I-JEPA / BYOL; `{}` when the family has none), the
 *   optimizer state and `step = 0`.
 * - `step(state, images, key)` is ONE training step `(state, batch, key) → (state', metrics)` with
 *   the metrics read to host numbers (synchronously: cpu, native and wasm only).
 * - `stepDeferred(state, images, key)` (optional; every family of this repo has it) is the same step
 *   with its metrics left on the device as scalar tensors (`DeviceMetrics`): it reads nothing, so it
 *   runs on webgpu (whose synchronous reads throw in Node) and never stalls a GPU. The caller reads
 *   them with `readMetrics` — one awaited `data()` for all of them — which also disposes them. The
 *   two must agree (`step` is `hostStep(stepDeferred)` in every family here); a wrapper that
 *   changes one must change both. The loop (`loop.ts`) calls `stepDeferred` when it exists.
 *   Both take ownership of `state`: tensors of the old state that the new state does not reuse are
 *   disposed inside; the caller must not touch `state` afterwards. `images` stay the caller's.
 *   Randomness (masks, views, dropout) comes from `key` only; schedules are functions of
 *   `state.step`, so a resumed run continues exactly.
 * - `features(state, images)` gives the representation used for evaluation, `[B, D]` (the
 *   average-pooled tokens of the EMA target encoder for I-JEPA, of the encoder for the others).
 *   The caller owns the result.
 * - `tokens(state, images)` (optional) gives the same representation before pooling, `[B, T, D]`
 *   (T tokens of `featureDim` features each), for probes that look at every token (the attentive
 *   probe). Families without tokens are evaluated without it. The caller owns the result.
 * Checkpoints store `stateToTree(state)` (params, target, opt.m, opt.v as one tree) plus `step`.
 */
import * as tf from '@tensorflow/tfjs'
import { type Key, type Dims, type ParamTree, flatten, unflatten, disposeTree, subtreeOrEmpty } from '@jepa-ts/core'
import type { OptState } from './adamw.ts'

/** Training state of a family. */
export interface TrainState {
  /** Number of optimizer steps taken. */
  readonly step: number
  /** Trained params, e.g. `{ encoder, predictor }`. */
  readonly params: ParamTree
  /** Params that are never differentiated (EMA target), `{}` if none. */
  readonly target: ParamTree
  /** AdamW moments over `params`. */
  readonly opt: OptState
}

/** Scalars a step reports (loss first; e.g. lr, wd, momentum, gradNorm, energy terms). */
export interface StepMetrics {
  readonly loss: number
  readonly [name: string]: number
}

/** A metric as a deferred step leaves it: a scalar tensor still on the device, or a host number. */
export type MetricValue = number | tf.Scalar

/** The metrics of `stepDeferred`: tensors (owned by the caller, disposed by `readMetrics`) or numbers. */
export interface DeviceMetrics {
  readonly loss: MetricValue
  readonly [name: string]: MetricValue
}

/** One step with deferred metrics (see `Family.stepDeferred`). */
export type DeferredStep = (state: TrainState, images: tf.Tensor4D, key: Key) => { readonly state: TrainState; readonly metrics: DeviceMetrics }

/** An SSL family. */
export interface Family {
  /** Short id: `ijepa`, `mae`, `simclr`, … */
  readonly name: string
  /** One line for people: what is predicted, the energy, the anti-collapse mechanism. */
  readonly description: string
  /** Image shape one sample has, [H, W, C]. */
  readonly imageDims: Dims
  /** Creates the initial state. */
  init(key: Key): TrainState
  /** One training step; consumes `state`. */
  step(state: TrainState, images: tf.Tensor4D, key: Key): { readonly state: TrainState; readonly metrics: StepMetrics }
  /** The same step with its metrics left on the device (reads nothing); optional. */
  stepDeferred?: DeferredStep
  /**
   * The differentiated part of `step` (same masks or views from `key`): loss, aux and the gradients
   * over `state.params`, reading nothing and consuming nothing (the caller owns the result);
   * optional. For cross-backend gradient checks.
   */
  lossAndGradsDeferred?(state: TrainState, images: tf.Tensor4D, key: Key): { readonly loss: tf.Scalar; readonly grads: ParamTree; readonly aux: Record<string, tf.Scalar> }
  /** Representations for evaluation, [B, D]. */
  features(state: TrainState, images: tf.Tensor4D): tf.Tensor2D
  /** Width D of `features`. */
  readonly featureDim: number
  /** Frozen tokens for evaluation, [B, T, D] with D = `featureDim` (optional). */
  tokens?(state: TrainState, images: tf.Tensor4D): tf.Tensor3D
}

/** Everything in a state as one tree: `params.*`, `target.*`, `opt.m.*`, `opt.v.*`. */
export const stateToTree = (s: TrainState): ParamTree => ({ params: s.params, target: s.target, opt: { m: s.opt.m, v: s.opt.v } })

/** Inverse of `stateToTree`. */
export const stateFromTree = (tree: ParamTree, step: number): TrainState => ({
  step,
  params: subtreeOrEmpty(tree, 'params'),
  target: subtreeOrEmpty(tree, 'target'),
  opt: { step, m: subtreeOrEmpty(tree, 'opt.m'), v: subtreeOrEmpty(tree, 'opt.v') },
})

/** Disposes every tensor of a state. */
export const disposeState = (s: TrainState): void => disposeTree(stateToTree(s))

/** A loss function over params: the loss and, optionally, extra scalars to log (`aux`). */
export type LossFn = (p: ParamTree) => { readonly loss: tf.Scalar; readonly aux?: Readonly<Record<string, tf.Scalar>> }

/**
 * Loss and gradients of `loss(params)` with respect to every leaf of `params` (tfjs autodiff over
 * the flattened leaves), reading nothing: the loss and `aux` stay scalar tensors the caller owns.
 * Anything not in `params` — the target branch — is not differentiated: that is stop-gradient.
 */
export const lossAndGradsDeferred = (params: ParamTree, loss: LossFn): { readonly loss: tf.Scalar; readonly grads: ParamTree; readonly aux: Record<string, tf.Scalar> } => {
  const leaves = flatten(params)
  const aux: Record<string, tf.Scalar> = {}
  const { value, grads } = tf.tidy(() => {
    const f = (...ws: tf.Tensor[]): tf.Scalar => {
      const out = loss(unflatten(leaves.map(([path], i) => [path, ws[i]!] as const)))
      for (const [k, v] of Object.entries(out.aux ?? {})) aux[k] = tf.keep(v)
      return out.loss
    }
    return tf.valueAndGrads(f)(leaves.map(([, t]) => t))
  })
  return { loss: value, grads: unflatten(leaves.map(([path], i) => [path, grads[i]!] as const)), aux }
}

/** Reads the loss and aux of a deferred result synchronously (and disposes them); grads and the rest pass through. */
export const readLossSync = <R extends { readonly loss: tf.Scalar; readonly aux: Record<string, tf.Scalar> }>(r: R): Omit<R, 'loss' | 'aux'> & { readonly loss: number; readonly aux: Record<string, number> } => {
  const aux: Record<string, number> = {}
  for (const [k, v] of Object.entries(r.aux)) aux[k] = v.dataSync()[0]!
  const loss = r.loss.dataSync()[0]!
  tf.dispose([r.loss, ...Object.values(r.aux)])
  return { ...r, loss, aux }
}

/**
 * Loss and gradients as host numbers: `lossAndGradsDeferred`, then one synchronous read of the
 * loss and each aux (cpu, native, wasm; on webgpu use the deferred form).
 */
export const lossAndGrads = (params: ParamTree, loss: LossFn): { readonly loss: number; readonly grads: ParamTree; readonly aux: Record<string, number> } =>
  readLossSync(lossAndGradsDeferred(params, loss))

/** Global L2 norm of a gradient tree (for logging), read on the host. */
export const gradNorm = (grads: ParamTree): number =>
  tf.tidy(() => Math.sqrt(flatten(grads).reduce((s, [, g]) => s + tf.sum(tf.square(g)).dataSync()[0]!, 0)))

/**
 * Global L2 norm of a gradient tree as a scalar tensor (reads nothing; the caller owns it). The
 * per-leaf sums are added pairwise, not by one `addN`: webgpu binds every input of a kernel as a
 * storage buffer, and adapters allow as few as 8 per shader.
 */
export const gradNormDeferred = (grads: ParamTree): tf.Scalar =>
  tf.tidy(() => {
    let sums: tf.Tensor[] = flatten(grads).map(([, g]) => tf.sum(tf.square(g)))
    if (sums.length === 0) return tf.scalar(0)
    while (sums.length > 1) sums = Array.from({ length: Math.ceil(sums.length / 2) }, (_, i) => (2 * i + 1 < sums.length ? tf.add(sums[2 * i]!, sums[2 * i + 1]!) : sums[2 * i]!))
    return tf.sqrt(sums[0]!) as tf.Scalar
  })

const tensorEntries = (m: DeviceMetrics): Array<readonly [string, tf.Scalar]> =>
  Object.entries(m).filter((e): e is [string, tf.Scalar] => typeof e[1] !== 'number')

const withValues = (m: DeviceMetrics, names: readonly string[], values: ArrayLike<number>): StepMetrics => {
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(m)) out[k] = typeof v === 'number' ? v : values[names.indexOf(k)]!
  return out as unknown as StepMetrics
}

/**
 * Host numbers of deferred metrics with ONE awaited read (the scalars are stacked first) — what the
 * loop does each step; disposes the metric tensors. Numbers pass through.
 */
export const readMetrics = async (m: DeviceMetrics): Promise<StepMetrics> => {
  const entries = tensorEntries(m)
  if (entries.length === 0) return withValues(m, [], [])
  const stacked = tf.tidy(() => tf.stack(entries.map(([, t]) => tf.reshape(t, [1]))).reshape([entries.length]))
  tf.dispose(entries.map(([, t]) => t))
  const values = await stacked.data()
  stacked.dispose()
  return withValues(m, entries.map(([k]) => k), values)
}

/** `readMetrics` with a synchronous read (cpu, native, wasm), for the host-number `step`. */
export const readMetricsSync = (m: DeviceMetrics): StepMetrics => {
  const entries = tensorEntries(m)
  const values = entries.map(([, t]) => t.dataSync()[0]!)
  tf.dispose(entries.map(([, t]) => t))
  return withValues(m, entries.map(([k]) => k), values)
}

/** The host-number `step` of a deferred step (one synchronous read per metric). */
export const hostStep = (deferred: DeferredStep) => (state: TrainState, images: tf.Tensor4D, key: Key): { readonly state: TrainState; readonly metrics: StepMetrics } => {
  const r = deferred(state, images, key)
  return { state: r.state, metrics: readMetricsSync(r.metrics) }
}
