/**
 * The contract every SSL family satisfies, so one training loop, one checkpoint format and one
 * evaluation serve I-JEPA, MAE and the joint-embedding families alike.
 *
 * A family is a value `{ name, init, step, features, … }` of pure functions:
 * - `init(key, imageDims)` creates the training state: `params` (trained by the optimizer), `target`
 *   (never differentiated: the EMA encoder of I-JEPA / BYOL; `{}` when the family has none), the
 *   optimizer state and `step = 0`.
 * - `step(state, images, key)` is ONE training step `(state, batch, key) → (state', metrics)`. It
 *   takes ownership of `state`: tensors of the old state that the new state does not reuse are
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

/**
 * Loss and gradients of `loss(params)` with respect to every leaf of `params` (tfjs autodiff over
 * the flattened leaves). Anything not in `params` — the target branch — is not differentiated:
 * that is stop-gradient. The loss function may return extra scalars to log as `aux`.
 */
export const lossAndGrads = (
  params: ParamTree,
  loss: (p: ParamTree) => { readonly loss: tf.Scalar; readonly aux?: Readonly<Record<string, tf.Scalar>> },
): { readonly loss: number; readonly grads: ParamTree; readonly aux: Record<string, number> } => {
  const leaves = flatten(params)
  const aux: Record<string, number> = {}
  const { value, grads } = tf.tidy(() => {
    const f = (...ws: tf.Tensor[]): tf.Scalar => {
      const out = loss(unflatten(leaves.map(([path], i) => [path, ws[i]!] as const)))
      for (const [k, v] of Object.entries(out.aux ?? {})) aux[k] = v.dataSync()[0]!
      return out.loss
    }
    return tf.valueAndGrads(f)(leaves.map(([, t]) => t))
  })
  const lossValue = value.dataSync()[0]!
  value.dispose()
  return { loss: lossValue, grads: unflatten(leaves.map(([path], i) => [path, grads[i]!] as const)), aux }
}

/** Global L2 norm of a gradient tree (for logging). */
export const gradNorm = (grads: ParamTree): number =>
  tf.tidy(() => Math.sqrt(flatten(grads).reduce((s, [, g]) => s + tf.sum(tf.square(g)).dataSync()[0]!, 0)))
