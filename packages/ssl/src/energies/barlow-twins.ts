/**
 * Barlow Twins energy: cross-correlation of the standardized views pushed to the identity.
 *
 * With za, zb `[N, D]`, N ≥ 2, and each view standardized over the batch,
 *   z̃ = (z − mean_N z) / √(Var_N(z) + ε),  Var the BIASED variance (divide by N)
 *   C = z̃aᵀ z̃b / N                        `[D, D]`
 *   barlowTwins = Σ_i (C_ii − 1)² + λ·Σ_{i≠j} C_ij²
 * Choice of standardization: the paper's code (facebookresearch/barlowtwins `main.py`) uses
 * `BatchNorm1d(affine=False)` in training mode — biased variance, ε = 1e-5 — and that is what this
 * does. lightly's `BarlowTwinsLoss` divides by the unbiased `std(0)` without ε instead, which scales
 * C by (N − 1)/N: with identical views its minimum is not 0. Paper: https://arxiv.org/abs/2103.03230.
 * With ε = 0 the energy is invariant to any per-feature affine map z_d ↦ s_d·z_d + t_d, s_d > 0.
 */
import * as tf from '@tensorflow/tfjs'
import { requireOption, requireViews } from './validate.ts'

/** Options of `barlowTwins`. */
export interface BarlowTwinsOptions {
  /** Weight λ of the off-diagonal (redundancy) term; default 5e-3. */
  readonly lambda?: number
  /** Added to the batch variance before the square root (BatchNorm's eps); default 1e-5. */
  readonly eps?: number
}

const standardize = (z: tf.Tensor2D, eps: number): tf.Tensor2D => {
  const centered = tf.sub(z, tf.mean(z, 0, true))
  const variance = tf.mean(tf.square(centered), 0, true)
  return tf.div(centered, tf.sqrt(tf.add(variance, eps)))
}

/**
 * Barlow Twins over two views `za`, `zb` of shape `[N, D]` (N ≥ 2). Returns a scalar.
 *
 * @example
 * const loss = barlowTwins(tf.randomNormal([16, 8]), tf.randomNormal([16, 8]), { lambda: 5e-3 })
 */
export const barlowTwins = (za: tf.Tensor2D, zb: tf.Tensor2D, options: BarlowTwinsOptions = {}): tf.Scalar => {
  const lambda = options.lambda ?? 5e-3
  const eps = options.eps ?? 1e-5
  requireOption('barlowTwins', 'lambda', lambda, (v) => v >= 0, 'a number >= 0')
  requireOption('barlowTwins', 'eps', eps, (v) => v >= 0, 'a number >= 0')
  requireViews('barlowTwins', ['za', 'zb'], za, zb, 2, 'standardization over the batch')
  const [n, d] = za.shape
  return tf.tidy(() => {
    const c = tf.div(tf.matMul(standardize(za, eps), standardize(zb, eps), true, false), n)
    const identity = tf.eye(d)
    // Weights: 1 on the diagonal, λ off it.
    const weights = tf.add(identity, tf.mul(tf.sub(1, identity), lambda))
    return tf.sum(tf.mul(tf.square(tf.sub(c, identity)), weights))
  })
}
