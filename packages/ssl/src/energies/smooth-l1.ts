/**
 * Smooth-L1 (Huber-like) energy in representation space, the I-JEPA reference loss.
 *
 * With d = pred − target elementwise and β ≥ 0:
 *   ℓ(d) = ½·d²/β  if |d| < β,   |d| − ½·β  otherwise        (β = 0: ℓ(d) = |d|)
 *   smoothL1 = mean over every element of ℓ(d)
 * Same semantics as PyTorch `F.smooth_l1_loss(pred, target, beta=β)` with `reduction='mean'`.
 * Paper: https://arxiv.org/abs/2301.08243 (I-JEPA); reference `src/train.py` `F.smooth_l1_loss(z, h)`.
 * The target is a plain input: stop-gradient is the caller's choice of what to differentiate.
 */
import * as tf from '@tensorflow/tfjs'
import { requireNonEmpty, requireOption, requireSameShape } from './validate.ts'

/** Options of `smoothL1`. */
export interface SmoothL1Options {
  /** Where the quadratic piece meets the linear one; ≥ 0, default 1. */
  readonly beta?: number
}

/**
 * Mean smooth-L1 distance between `pred` and `target`, both of any shape `[...S]` (the same).
 * Returns a scalar.
 *
 * @example
 * const loss = smoothL1(tf.tensor2d([[0, 3]]), tf.tensor2d([[0.5, 0]]))  // (0.125 + 2.5) / 2
 */
export const smoothL1 = (pred: tf.Tensor, target: tf.Tensor, options: SmoothL1Options = {}): tf.Scalar => {
  const beta = options.beta ?? 1
  requireOption('smoothL1', 'beta', beta, (v) => v >= 0, 'a number >= 0')
  requireSameShape('smoothL1', ['pred', 'target'], pred, target)
  requireNonEmpty('smoothL1', 'pred', pred)
  return tf.tidy(() => {
    const diff = tf.sub(pred, target)
    const absDiff = tf.abs(diff)
    if (beta === 0) return tf.mean(absDiff)
    // ℓ = ½·min(|d|, β)²/β + (|d| − min(|d|, β)): the two pieces without a comparison op, which
    // tfjs cannot differentiate through (no gradient for Less).
    const clipped = tf.minimum(absDiff, beta)
    return tf.mean(tf.add(tf.div(tf.mul(tf.square(clipped), 0.5), beta), tf.sub(absDiff, clipped)))
  })
}
