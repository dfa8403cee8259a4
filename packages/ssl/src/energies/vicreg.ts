/**
 * VICReg energy: invariance + variance + covariance terms.
 *
 * With za, zb `[N, D]`, N ≥ 2, and for a view x: x̄ = x − mean over the batch,
 *   Var(x_d) = Σ_n x̄_nd² / (N − 1)          (unbiased)
 *   v(x)     = mean_d ReLU(1 − √(Var(x_d) + ε))
 *   Cov(x)   = x̄ᵀx̄ / (N − 1)
 *   c(x)     = Σ_{i≠j} Cov(x)_ij² / D
 *   invariance = mean (za − zb)²,   variance = ½[v(za) + v(zb)],   covariance = c(za) + c(zb)
 *   loss = simCoeff·invariance + stdCoeff·variance + covCoeff·covariance
 * Defaults 25 / 25 / 1, ε = 1e-4, as facebookresearch/vicreg `main_vicreg.py`.
 * Paper: https://arxiv.org/abs/2105.04906. The variance term is 0 exactly when every √(Var + ε) ≥ 1.
 */
import * as tf from '@tensorflow/tfjs'
import { requireOption, requireViews } from './validate.ts'

/** Options of `vicreg`. */
export interface VicregOptions {
  /** Weight of the invariance (MSE) term; default 25. */
  readonly simCoeff?: number
  /** Weight of the variance (hinge on std) term; default 25. */
  readonly stdCoeff?: number
  /** Weight of the covariance (off-diagonal) term; default 1. */
  readonly covCoeff?: number
  /** Added to the variance under the square root; default 1e-4. */
  readonly eps?: number
}

/** The weighted energy and its three unweighted terms (for logging). All scalars. */
export interface VicregTerms {
  readonly loss: tf.Scalar
  readonly invariance: tf.Scalar
  readonly variance: tf.Scalar
  readonly covariance: tf.Scalar
}

const varianceAndCovariance = (x: tf.Tensor2D, eps: number): { readonly variance: tf.Scalar; readonly covariance: tf.Scalar } => {
  const [n, d] = x.shape
  const centered = tf.sub(x, tf.mean(x, 0, true))
  const std = tf.sqrt(tf.add(tf.div(tf.sum(tf.square(centered), 0), n - 1), eps))
  const variance = tf.mean(tf.relu(tf.sub(1, std))) as tf.Scalar
  const cov = tf.div(tf.matMul(centered, centered, true, false), n - 1)
  const offDiagonal = tf.sub(1, tf.eye(d))
  const covariance = tf.div(tf.sum(tf.mul(tf.square(cov), offDiagonal)), d) as tf.Scalar
  return { variance, covariance }
}

/**
 * VICReg over two views `za`, `zb` of shape `[N, D]` (N ≥ 2). Returns the energy and its terms;
 * the caller owns all four scalars.
 *
 * @example
 * const { loss, invariance, variance, covariance } = vicreg(tf.randomNormal([8, 16]), tf.randomNormal([8, 16]))
 */
export const vicreg = (za: tf.Tensor2D, zb: tf.Tensor2D, options: VicregOptions = {}): VicregTerms => {
  const simCoeff = options.simCoeff ?? 25
  const stdCoeff = options.stdCoeff ?? 25
  const covCoeff = options.covCoeff ?? 1
  const eps = options.eps ?? 1e-4
  requireOption('vicreg', 'eps', eps, (v) => v >= 0, 'a number >= 0')
  for (const [field, value] of [['simCoeff', simCoeff], ['stdCoeff', stdCoeff], ['covCoeff', covCoeff]] as const) {
    requireOption('vicreg', field, value, () => true, 'a finite number')
  }
  requireViews('vicreg', ['za', 'zb'], za, zb, 2, 'the unbiased variance divides by N − 1')
  return tf.tidy(() => {
    const invariance = tf.mean(tf.squaredDifference(za, zb)) as tf.Scalar
    const a = varianceAndCovariance(za, eps)
    const b = varianceAndCovariance(zb, eps)
    const variance = tf.mul(tf.add(a.variance, b.variance), 0.5) as tf.Scalar
    const covariance = tf.add(a.covariance, b.covariance) as tf.Scalar
    const loss = tf.addN([tf.mul(invariance, simCoeff), tf.mul(variance, stdCoeff), tf.mul(covariance, covCoeff)]) as tf.Scalar
    return { loss, invariance, variance, covariance }
  })
}
