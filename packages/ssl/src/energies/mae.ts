/**
 * MAE reconstruction energy: MSE on the (optionally per-patch normalized) pixels of masked patches.
 *
 * With target t `[B, L, P]` (P = p²·C, from `patchify`), prediction y `[B, L, P]`, mask m `[B, L]`
 * (1 = removed, i.e. predicted; 0 = kept):
 *   normPix:  t̂ = (t − mean_P(t)) / √(var_P(t) + 1e-6),  var the UNBIASED variance over the P values
 *             of the patch (PyTorch `target.var(dim=-1)` defaults to unbiased=True)
 *   e_bl   = mean_P (y − t̂)²                     per-patch MSE
 *   mae    = Σ_bl e_bl·m_bl / Σ_bl m_bl          averaged over masked patches only
 * Matches facebookresearch/mae `models_mae.py` `forward_loss`. Paper: https://arxiv.org/abs/2111.06377.
 * One deviation, on purpose: when no patch is masked the reference divides 0 by 0 (NaN); here the
 * denominator is max(Σ m, 1), so the energy is 0 — identical whenever at least one patch is masked.
 */
import * as tf from '@tensorflow/tfjs'
import { requireNonEmpty, requireRank, requireSameShape } from './validate.ts'

/** Options of `maeLoss`. */
export interface MaeLossOptions {
  /** Normalize each target patch to zero mean and unit (unbiased) variance first; default true. */
  readonly normPix?: boolean
}

/** The variance floor inside the square root of the per-patch normalization (reference: 1e-6). */
export const NORM_PIX_EPS = 1e-6

/**
 * Masked-patch reconstruction energy. `pred` and `target` are `[B, L, P]`, `mask` is `[B, L]` with
 * 1 = removed. Returns a scalar.
 *
 * @example
 * const target = patchify(images, 4)                    // [B, 49, 16]
 * const loss = maeLoss(decoderOut, target, mask)       // decoderOut [B, 49, 16], mask [B, 49]
 */
export const maeLoss = (pred: tf.Tensor3D, target: tf.Tensor3D, mask: tf.Tensor2D, options: MaeLossOptions = {}): tf.Scalar => {
  const normPix = options.normPix ?? true
  requireSameShape('maeLoss', ['pred', 'target'], pred, target, '[B, L, P]')
  requireRank('maeLoss', 'pred', pred, 3, '[B, L, P]')
  requireNonEmpty('maeLoss', 'pred', pred)
  const [b, l, p] = pred.shape
  if (mask.rank !== 2 || mask.shape[0] !== b || mask.shape[1] !== l) {
    throw new Error(`maeLoss: mask must have shape [B, L] = [${b}, ${l}] to match pred [${pred.shape.join(', ')}]; got mask [${mask.shape.join(', ')}]`)
  }
  if (normPix && p < 2) throw new Error(`maeLoss: normPix needs at least 2 values per patch (unbiased variance); got pred [${pred.shape.join(', ')}]`)
  return tf.tidy(() => {
    let t: tf.Tensor = target
    if (normPix) {
      const mean = tf.mean(target, -1, true)
      const centered = tf.sub(target, mean)
      const variance = tf.div(tf.sum(tf.square(centered), -1, true), p - 1)
      t = tf.div(centered, tf.sqrt(tf.add(variance, NORM_PIX_EPS)))
    }
    const perPatch = tf.mean(tf.squaredDifference(pred, t), -1)
    const maskF = tf.cast(mask, 'float32')
    return tf.div(tf.sum(tf.mul(perPatch, maskF)), tf.maximum(tf.sum(maskF), 1)) as tf.Scalar
  })
}
