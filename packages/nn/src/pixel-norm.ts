/**
 * `pixelNorm({mean, std})`: standardizes NHWC images per channel, x ↦ (x − mean_c) / std_c — the
 * dataset normalization the reference applies to its inputs (ImageNet mean/std there; for
 * Fashion-MNIST train in [0, 1]: mean 0.286, std 0.353 — `pixelStats(dataset)` of @jepa-ts/data).
 * It is a layer so that every path into an encoder (training steps, features, probes) sees the
 * same inputs, and a checkpoint carries it through its config.
 *
 * Why it matters at small scale: with p² = 16 inputs per patch and the reference init (trunc-normal
 * 0.02), un-normalized [0, 1] pixels give patch embeddings about 1/20 the size (RMS) of the fixed sin-cos
 * position embedding, so the tokens are mostly position and I-JEPA learns the position shortcut
 * (docs/results.md measures it).
 *
 * `mean` and `std` are one number for every channel or one per channel; std > 0 (checked when the
 * layer is built: RangeError naming the field). Shape law: `[B, H, W, C] → [B, H, W, C]`; a
 * per-channel list must have C entries (ShapeError at the layer's path). No params. FLOPs: 2 per element.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs'
 * import { keyOf } from '@jepa-ts/core'
 * import { pixelNorm } from '@jepa-ts/nn'
 * const norm = pixelNorm({ mean: 0.5, std: 0.25 })
 * const y = norm.apply({}, tf.fill([1, 2, 2, 1], 1), { key: keyOf(0), training: false }) // all 2
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type Dim, type Dims, type Layer, type NoParams, isMulti, leaf, makeLayer, shapeError, sizeOf } from '@jepa-ts/core'

/** Mean and standard deviation: one number for all channels, or one per channel. */
export interface PixelNormSettings {
  readonly mean: number | readonly number[]
  readonly std: number | readonly number[]
}

const listOf = (v: number | readonly number[]): readonly number[] => (typeof v === 'number' ? [v] : v)

/** The per-channel standardization layer of NHWC images. */
export const pixelNorm = <C extends number = number>(settings: PixelNormSettings, options: { readonly name?: string } = {}): Layer<readonly [Dim, Dim, Dim, C], readonly [Dim, Dim, Dim, C], NoParams> => {
  const means = listOf(settings.mean)
  const stds = listOf(settings.std)
  means.forEach((m, i) => {
    if (!Number.isFinite(m)) throw new RangeError(`pixelNorm: mean[${i}] must be a finite number, got ${m}`)
  })
  stds.forEach((s, i) => {
    if (!(Number.isFinite(s) && s > 0)) throw new RangeError(`pixelNorm: std[${i}] must be a finite number > 0, got ${s}`)
  })
  if (means.length === 0 || stds.length === 0) throw new RangeError('pixelNorm: mean and std need at least one entry')
  return makeLayer<readonly [Dim, Dim, Dim, C], readonly [Dim, Dim, Dim, C], NoParams>({
    kind: 'pixelNorm',
    name: options.name ?? 'pixel_norm',
    infer: (inDims, path) => {
      const d = inDims as Dims
      if (isMulti(inDims) || d.length !== 4) return E.left(shapeError(path, 'NHWC images [B, H, W, C] (pixelNorm)', inDims))
      const c = d[3]!
      for (const [field, list] of [['mean', means], ['std', stds]] as const) {
        if (list.length !== 1 && list.length !== c) return E.left(shapeError(path, `one ${field} or ${c} (one per channel) (pixelNorm)`, `${list.length} ${field} values`))
      }
      return E.right(leaf(inDims, {}, 2 * sizeOf(d)))
    },
    apply: (_params, x) =>
      tf.tidy(() => {
        const xt = x as tf.Tensor
        const c = xt.shape[3] ?? 1
        const perChannel = (list: readonly number[]) => (list.length === 1 ? tf.scalar(list[0]!) : tf.tensor1d(list.slice(0, c)))
        return tf.div(tf.sub(xt, perChannel(means)), perChannel(stds))
      }),
  })
}
