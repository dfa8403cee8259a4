/**
 * A tiny AdamW for the probe's host arrays, in `torch.optim.AdamW`'s order of operations
 * (decoupled weight decay, Loshchilov & Hutter, https://arxiv.org/abs/1711.05101):
 *
 *   t ← t + 1;  p ← p·(1 − lr·wd);  m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)          β = (0.9, 0.999), ε = 1e-8
 *
 * The state (param, m, v) is owned by the probe and updated in place: this is an inner loop.
 * Law: after any sequence of gradients it matches PyTorch 1.13's AdamW (test fixture).
 */

/** One parameter array with its moments. */
export interface AdamState {
  readonly param: Float64Array
  readonly m: Float64Array
  readonly v: Float64Array
}

export const ADAM_BETA1 = 0.9
export const ADAM_BETA2 = 0.999
export const ADAM_EPS = 1e-8

/** A state with zero moments around `param` (which it takes over). */
export const adamState = (param: Float64Array): AdamState => ({ param, m: new Float64Array(param.length), v: new Float64Array(param.length) })

/** Applies update number `step` (1-based) with gradient `grad` in place. */
export const adamwStepInPlace = (state: AdamState, grad: Float64Array, step: number, lr: number, weightDecay: number): void => {
  const { param, m, v } = state
  const decay = 1 - lr * weightDecay
  const stepSize = lr / (1 - ADAM_BETA1 ** step)
  const correction2 = Math.sqrt(1 - ADAM_BETA2 ** step)
  for (let i = 0; i < param.length; i++) {
    const g = grad[i]!
    const mi = ADAM_BETA1 * m[i]! + (1 - ADAM_BETA1) * g
    const vi = ADAM_BETA2 * v[i]! + (1 - ADAM_BETA2) * g * g
    m[i] = mi
    v[i] = vi
    param[i] = param[i]! * decay - stepSize * mi / (Math.sqrt(vi) / correction2 + ADAM_EPS)
  }
}
