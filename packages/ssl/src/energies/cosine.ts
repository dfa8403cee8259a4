/**
 * Cosine energies of the predictor families: SimSiam's negative cosine and BYOL's 2 − 2·cos.
 *
 * With p, z `[N, D]` and cos_n = p_n·z_n / √max(‖p_n‖²·‖z_n‖², 1e-16)  (PyTorch `F.cosine_similarity`,
 * eps 1e-8):
 *   negativeCosine(p, z) = −mean_n cos_n            ∈ [−1, 1], −1 when every p_n ∥ z_n
 *   byolLoss(p, z)       = mean_n (2 − 2·cos_n)      ∈ [0, 4],  0 when every p_n ∥ z_n
 * Both are one direction only. The families symmetrize and stop the gradient of the target:
 *   SimSiam: ½·negativeCosine(p1, sg(z2)) + ½·negativeCosine(p2, sg(z1))
 *   BYOL:    byolLoss(p1, sg(z2')) + byolLoss(p2, sg(z1'))   (z' from the EMA target network)
 * where sg means "computed outside the differentiated function" (see `stop-gradient.ts`).
 * Papers: SimSiam https://arxiv.org/abs/2011.10566, BYOL https://arxiv.org/abs/2006.07733.
 */
import * as tf from '@tensorflow/tfjs'
import { requireViews } from './validate.ts'

/** Row-wise cosine similarity of `a`, `b` `[N, D]` → `[N]`. */
export const cosineSimilarity = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D =>
  tf.tidy(() => {
    const dot = tf.sum(tf.mul(a, b), 1)
    const norms = tf.mul(tf.sum(tf.square(a), 1), tf.sum(tf.square(b), 1))
    return tf.div(dot, tf.sqrt(tf.maximum(norms, 1e-16)))
  })

/**
 * SimSiam energy −mean cos(p, z) over `[N, D]` rows. Returns a scalar.
 *
 * @example
 * const loss = negativeCosine(tf.tensor2d([[1, 0]]), tf.tensor2d([[2, 0]]))  // −1
 */
export const negativeCosine = (p: tf.Tensor2D, z: tf.Tensor2D): tf.Scalar => {
  requireViews('negativeCosine', ['p', 'z'], p, z, 1, 'a mean over the batch')
  return tf.tidy(() => tf.neg(tf.mean(cosineSimilarity(p, z))) as tf.Scalar)
}

/**
 * BYOL energy mean(2 − 2·cos(p, z)) over `[N, D]` rows. Returns a scalar.
 *
 * @example
 * const loss = byolLoss(tf.tensor2d([[1, 0]]), tf.tensor2d([[0, 3]]))  // 2
 */
export const byolLoss = (p: tf.Tensor2D, z: tf.Tensor2D): tf.Scalar => {
  requireViews('byolLoss', ['p', 'z'], p, z, 1, 'a mean over the batch')
  return tf.tidy(() => tf.mean(tf.sub(2, tf.mul(cosineSimilarity(p, z), 2))))
}
