/**
 * Squared-L2 energy in representation space (the I-JEPA paper's loss; MSE with mean reduction).
 *
 *   l2 = mean over every element of (pred − target)²
 * Same as PyTorch `F.mse_loss(pred, target)`. Paper: https://arxiv.org/abs/2301.08243, eq. (1)
 * (the paper writes a sum of squared L2 norms; the mean differs by a constant factor only).
 */
import * as tf from '@tensorflow/tfjs'
import { requireNonEmpty, requireSameShape } from './validate.ts'

/**
 * Mean squared difference of `pred` and `target`, both of shape `[...S]` (the same). Returns a scalar.
 *
 * @example
 * const loss = l2(tf.tensor1d([1, 2]), tf.tensor1d([1, 4]))  // (0 + 4) / 2 = 2
 */
export const l2 = (pred: tf.Tensor, target: tf.Tensor): tf.Scalar => {
  requireSameShape('l2', ['pred', 'target'], pred, target)
  requireNonEmpty('l2', 'pred', pred)
  return tf.tidy(() => tf.mean(tf.squaredDifference(pred, target)))
}
