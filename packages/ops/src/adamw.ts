/**
 * AdamW, defined once: one decoupled-weight-decay Adam step in `torch.optim.AdamW`'s order of
 * operations (PyTorch 1.13, amsgrad = false):
 *
 *   p ← p·(1 − lr·wd);  m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)            t = `step`, counted from 1
 *
 * Two forms share the scalar coefficients (`adamwCoefficients`, float64 as torch computes them in
 * Python): `adamwUpdate` on tensors (returns fresh {p, m, v}; inputs untouched; not
 * differentiable) and `adamwUpdateInPlace` on float64 host arrays (the probes' inner loop).
 * Paper: https://arxiv.org/abs/1711.05101
 *
 * Kernel: `JepaAdamW` inputs {p, g, m, v}, attrs {lr, beta1, beta2, eps, weightDecay, bc1, bc2}
 * (bc1 = 1 − β1ᵗ, bc2 = 1 − β2ᵗ) → [p, m, v], one pass over memory.
 *
 * @example
 * const r = adamwUpdate(p, g, m, v, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05, step: 1 })
 */
import * as tf from '@tensorflow/tfjs'
import { hasKernel, runKernelN, showShape } from './dispatch.ts'

export const ADAMW = 'JepaAdamW'

/** Hyperparameters of one step. */
export interface AdamWHyper {
  readonly lr: number
  readonly beta1: number
  readonly beta2: number
  readonly eps: number
  /** 0 leaves p undecayed (exactly). */
  readonly weightDecay: number
  /** t, 1 for the first step. */
  readonly step: number
}

/** A param with its moments. */
export interface AdamWState {
  readonly p: tf.Tensor
  readonly m: tf.Tensor
  readonly v: tf.Tensor
}

/** The float64 scalars of step t: decay factor, step size lr/(1 − β1ᵗ), √(1 − β2ᵗ), and the bias corrections. */
export interface AdamWCoefficients {
  readonly decay: number
  readonly stepSize: number
  readonly correction2Sqrt: number
  readonly bc1: number
  readonly bc2: number
}

export const adamwCoefficients = (hp: AdamWHyper): AdamWCoefficients => {
  const bc1 = 1 - hp.beta1 ** hp.step
  const bc2 = 1 - hp.beta2 ** hp.step
  return { decay: 1 - hp.lr * hp.weightDecay, stepSize: hp.lr / bc1, correction2Sqrt: Math.sqrt(bc2), bc1, bc2 }
}

/** The composite step (the definition every kernel must agree with). */
export const adamwComposite = (p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, hp: AdamWHyper): AdamWState => {
  const c = adamwCoefficients(hp)
  return tf.tidy(() => {
    const decayed = hp.weightDecay !== 0 ? tf.mul(p, c.decay) : p
    const mNext = tf.add(tf.mul(m, hp.beta1), tf.mul(g, 1 - hp.beta1))
    const vNext = tf.add(tf.mul(v, hp.beta2), tf.mul(tf.mul(g, g), 1 - hp.beta2))
    const denom = tf.add(tf.div(tf.sqrt(vNext), c.correction2Sqrt), hp.eps)
    return { p: tf.sub(decayed, tf.div(tf.mul(mNext, c.stepSize), denom)), m: mNext, v: vNext }
  })
}

/** One AdamW step on tensors; returns fresh {p, m, v} of p's shape. */
export const adamwUpdate = (p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, hp: AdamWHyper): AdamWState => {
  for (const [name, t] of [['g', g], ['m', m], ['v', v]] as const) {
    if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) throw new Error(`adamwUpdate: ${name} must have p's shape ${showShape(p)}, got ${showShape(t)}`)
  }
  if (!hasKernel(ADAMW, p, g, m, v)) return adamwComposite(p, g, m, v, hp)
  const { bc1, bc2 } = adamwCoefficients(hp)
  const [np, nm, nv] = runKernelN(ADAMW, { p, g, m, v }, { lr: hp.lr, beta1: hp.beta1, beta2: hp.beta2, eps: hp.eps, weightDecay: hp.weightDecay, bc1, bc2 }, 3)
  if (np === undefined || nm === undefined || nv === undefined) throw new Error(`${ADAMW}: outputs missing`)
  return { p: np, m: nm, v: nv }
}

/** A float64 param with its moments, updated in place by `adamwUpdateInPlace`. */
export interface AdamWHostState {
  readonly param: Float64Array
  readonly m: Float64Array
  readonly v: Float64Array
}

/** A host state with zero moments around `param` (which it takes over). */
export const adamwHostState = (param: Float64Array): AdamWHostState => ({ param, m: new Float64Array(param.length), v: new Float64Array(param.length) })

/** One AdamW step on host arrays, in place (same formula and coefficients as `adamwUpdate`). */
export const adamwUpdateInPlace = (state: AdamWHostState, grad: Float64Array, hp: AdamWHyper): void => {
  const { param, m, v } = state
  const c = adamwCoefficients(hp)
  for (let i = 0; i < param.length; i++) {
    const g = grad[i]!
    const mi = hp.beta1 * m[i]! + (1 - hp.beta1) * g
    const vi = hp.beta2 * v[i]! + (1 - hp.beta2) * g * g
    m[i] = mi
    v[i] = vi
    param[i] = param[i]! * c.decay - c.stepSize * mi / (Math.sqrt(vi) / c.correction2Sqrt + hp.eps)
  }
}
