/**
 * NT-Xent (normalized temperature-scaled cross-entropy), the SimCLR energy.
 *
 * With za, zb `[N, D]` the two views of N images, u = rows of [za; zb] L2-normalized (2N rows),
 * s_ij = u_i·u_j / τ, and partner(i) = i ± N:
 *   ℓ_i   = −s_{i,partner(i)} + log Σ_{j≠i} exp(s_ij)      (self-similarity excluded)
 *   ntXent = mean over the 2N rows of ℓ_i
 * As lightly's `NTXentLoss` (single device) and SimCLR's paper. Normalization divides by
 * max(‖row‖, 1e-12) as PyTorch `F.normalize`. Paper: https://arxiv.org/abs/2002.05709.
 * Invariant to any positive rescaling of each embedding row (only directions enter).
 */
import * as tf from '@tensorflow/tfjs'
import { requireOption, requireViews } from './validate.ts'

/** Options of `ntXent`. */
export interface NtXentOptions {
  /** τ > 0; default 0.5 (lightly). solo-learn configs use 0.1–0.2. */
  readonly temperature?: number
}

/** Rows divided by their L2 norm, floored at 1e-12 (PyTorch `F.normalize(x, dim=1)`). */
export const l2NormalizeRows = (x: tf.Tensor2D): tf.Tensor2D =>
  tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12)))

/**
 * NT-Xent over two views `za`, `zb` of shape `[N, D]` (N ≥ 1). Returns a scalar.
 *
 * @example
 * const loss = ntXent(tf.randomNormal([8, 16]), tf.randomNormal([8, 16]), { temperature: 0.2 })
 */
export const ntXent = (za: tf.Tensor2D, zb: tf.Tensor2D, options: NtXentOptions = {}): tf.Scalar => {
  const temperature = options.temperature ?? 0.5
  requireOption('ntXent', 'temperature', temperature, (v) => v > 0, 'a number > 0')
  requireViews('ntXent', ['za', 'zb'], za, zb, 1, 'one positive pair per image')
  const rows = 2 * za.shape[0]
  return tf.tidy(() => {
    const u = l2NormalizeRows(tf.concat([za, zb], 0))
    const logits = tf.div(tf.matMul(u, u, false, true), temperature)
    // Self-similarity is excluded by pushing the diagonal to a logit whose exp underflows to 0.
    const selfMask = tf.mul(tf.eye(rows), -1e9)
    const logNormalizer = tf.logSumExp(tf.add(logits, selfMask), 1)
    const half = rows / 2
    const positives = tf.div(tf.sum(tf.mul(u, tf.concat([u.slice([half, 0], [half, -1]), u.slice([0, 0], [half, -1])], 0)), 1), temperature)
    return tf.mean(tf.sub(logNormalizer, positives))
  })
}
