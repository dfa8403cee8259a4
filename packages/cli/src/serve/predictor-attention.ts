/**
 * Where the I-JEPA predictor looks: the attention of one target block's mask tokens to the
 * context tokens, in the predictor's last block, for one image and one set of masks.
 *
 *   predictorTrace(parts, params, image, contextIdx, targetIdx) → { hidden, probabilities }
 *   predictorAttention(...) → { weights [Kc], contextShare }
 *
 * The predictor's forward (nn/predictor.ts) is replayed with nn's own layers on a batch of one
 * and ONE target block: the encoder on the context tokens, `predictor_embed` + position table,
 * mask token + position table at the target tokens, blocks 0 … L−2 (`hidden` is their output,
 * the last block's input), then the last block's `norm1` and fused `qkv`, and the softmax of
 * q·kᵀ/√hd over all Kc + Kt keys, per head (`probabilities` [heads, Kc + Kt, Kc + Kt]).
 * `weights[j]` is the attention paid to context token j, averaged over heads and over the target
 * block's tokens (so Σ weights = `contextShare` ≤ 1, the rest going to the block's own tokens).
 * Deterministic (evaluation mode: no dropout or drop path). The caller owns nothing new: every
 * tensor is freed before returning.
 */
import * as tf from '@tensorflow/tfjs'
import { type AnyLayer, type Ctx, type ParamTree, keyOf, subtreeOrEmpty } from '@jepa-ts/core'
import { type Predictor, type Vit, block, encode, layerNorm, linear, posEmbed2d } from '@jepa-ts/nn'

const evaluation: Ctx = { key: keyOf(0), training: false }

export interface PredictorTrace {
  /** The last predictor block's input, [1, Kc + Kt, Dp]. */
  readonly hidden: tf.Tensor3D
  /** Softmax attention of the last block, [heads, Kc + Kt, Kc + Kt] (rows: queries). */
  readonly probabilities: tf.Tensor3D
}

export interface PredictorAttention {
  /** Attention to each context token (in `contextIdx` order), mean over heads and target tokens. */
  readonly weights: readonly number[]
  /** Σ weights: the share of the target tokens' attention that goes to the context. */
  readonly contextShare: number
}

/** The replayed forward (see the module contract); the caller disposes both tensors. */
export const predictorTrace = (
  parts: { readonly encoder: Vit; readonly predictor: Predictor },
  params: ParamTree,
  image: tf.Tensor4D,
  contextIdx: Int32Array,
  targetIdx: Int32Array,
): PredictorTrace => tf.tidy(() => {
  if (image.shape[0] !== 1) throw new RangeError(`predictorTrace: expected one image [1, H, W, C], got [${image.shape.join(', ')}]`)
  const { embedDim: D, predictorDim: Dp, depth, heads, grid } = parts.predictor.config
  const eps = parts.predictor.config.eps ?? 1e-6
  const mlpRatio = parts.predictor.config.mlpRatio ?? 4
  const N = grid[0] * grid[1]
  for (const [name, idx] of [['contextIdx', contextIdx], ['targetIdx', targetIdx]] as const) {
    const bad = idx.find((i) => !(i >= 0 && i < N))
    if (bad !== undefined) throw new RangeError(`predictorTrace: ${name} holds ${bad}, outside the ${grid[0]}×${grid[1]} grid`)
  }
  const Kc = contextIdx.length
  const Kt = targetIdx.length
  const pred = subtreeOrEmpty(params, 'predictor')
  const ci = tf.tensor2d(contextIdx, [1, Kc], 'int32')
  const pe = tf.tensor2d(posEmbed2d(grid[0], grid[1], Dp), [N, Dp])
  const z = encode(parts.encoder, subtreeOrEmpty(params, 'encoder'), image, evaluation, ci)
  const embed = linear(D, Dp, { name: 'predictor_embed' }) as AnyLayer
  const context = tf.add(embed.apply(subtreeOrEmpty(pred, 'predictor_embed'), z, evaluation) as tf.Tensor, tf.gather(pe, ci, 0))
  const maskToken = pred['mask_token']
  if (!(maskToken instanceof tf.Tensor)) throw new Error('predictorTrace: the checkpoint has no predictor.mask_token')
  const targets = tf.add(tf.reshape(maskToken, [1, 1, Dp]), tf.gather(pe, tf.tensor2d(targetIdx, [1, Kt], 'int32'), 0))
  let x: tf.Tensor = tf.concat([context, targets], 1)
  const layer = block(Dp, heads, { mlpRatio, eps }) as unknown as AnyLayer
  for (let i = 0; i < depth - 1; i++) x = layer.apply(subtreeOrEmpty(pred, `predictor_blocks.${i}`), x, evaluation) as tf.Tensor
  const last = subtreeOrEmpty(pred, `predictor_blocks.${depth - 1}`)
  const normed = (layerNorm(Dp, { eps, name: 'norm1' }) as unknown as AnyLayer).apply(subtreeOrEmpty(last, 'norm1'), x, evaluation) as tf.Tensor
  const fused = (linear(Dp, 3 * Dp, { name: 'qkv' }) as AnyLayer).apply(subtreeOrEmpty(last, 'attn.qkv'), normed, evaluation) as tf.Tensor
  const n = Kc + Kt
  const headDim = Dp / heads
  const [q, k] = tf.unstack(tf.transpose(tf.reshape(fused, [n, 3, heads, headDim]), [1, 2, 0, 3]), 0) as [tf.Tensor3D, tf.Tensor3D]
  const probabilities = tf.softmax(tf.mul(tf.matMul(q, k, false, true), headDim ** -0.5)) as tf.Tensor3D
  return { hidden: x as tf.Tensor3D, probabilities }
})

/** Attention of the target block's tokens to each context token (see the module contract). */
export const predictorAttention = (
  parts: { readonly encoder: Vit; readonly predictor: Predictor },
  params: ParamTree,
  image: tf.Tensor4D,
  contextIdx: Int32Array,
  targetIdx: Int32Array,
): PredictorAttention => {
  const { hidden, probabilities } = predictorTrace(parts, params, image, contextIdx, targetIdx)
  const Kc = contextIdx.length
  const [heads, n] = [probabilities.shape[0], probabilities.shape[1]]
  const toContext = tf.tidy(() => tf.mean(tf.slice(probabilities, [0, Kc, 0], [heads, n - Kc, Kc]), [0, 1]))
  const weights = Array.from(toContext.dataSync())
  tf.dispose([hidden, probabilities, toContext])
  return { weights, contextShare: weights.reduce((s, w) => s + w, 0) }
}
