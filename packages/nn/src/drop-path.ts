/**
 * `dropPath({ dropProb })`: stochastic depth per sample. In training, each sample of the batch
 * (axis 0) is zeroed whole with probability `dropProb` and the kept samples are scaled by
 * 1/(1 − dropProb); identity when `!ctx.training` or `dropProb = 0`. Used on a residual branch it
 * drops the branch for that sample (reference `DropPath`).
 *
 * Shape law: `[B, ...rest] → [B, ...rest]`. No params. Randomness: the `dropout` stream of `ctx.key`
 * (via `toSeed`, never seed 0). `dropProb` must lie in [0, 1).
 *
 * @example
 * import * as tf from '@tensorflow/tfjs'
 * import { keyOf } from '@jepa-ts/core'
 * import { dropPath } from '@jepa-ts/nn'
 * const y = dropPath({ dropProb: 0.5 }).apply({}, tf.ones([4, 16, 8]), { key: keyOf(3), training: true })
 * // each of the 4 samples is either all 0 or all 2
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type Dims, type Layer, type NoParams, type Shape, isMulti, leaf, makeLayer, shapeError, sizeOf, stream, toSeed } from '@jepa-ts/core'

/** Options of `dropPath`. */
export interface DropPathOptions {
  /** Probability of dropping a sample's branch, in [0, 1). */
  readonly dropProb: number
  /** Path segment (default `drop_path`, as the reference). */
  readonly name?: string
}

/** Per-sample stochastic depth. */
export const dropPath = <S extends Shape = Shape>(options: DropPathOptions): Layer<S, S, NoParams> => {
  const { dropProb } = options
  return makeLayer<S, S, NoParams>({
    kind: 'dropPath',
    name: options.name ?? 'drop_path',
    infer: (inDims, path) => {
      if (!(dropProb >= 0 && dropProb < 1)) return E.left(shapeError(path, 'dropProb in [0, 1) (dropPath)', `dropProb ${dropProb}`))
      if (isMulti(inDims) || (inDims as Dims).length < 1) return E.left(shapeError(path, 'one tensor with a batch axis (dropPath)', inDims))
      return E.right(leaf(inDims, {}, dropProb > 0 ? sizeOf(inDims as Dims) : 0))
    },
    apply: (_p, x, ctx) => {
      const xt = x as tf.Tensor
      if (!ctx.training || dropProb === 0) return xt
      const keepProb = 1 - dropProb
      return tf.tidy(() => {
        const maskShape = [xt.shape[0]!, ...xt.shape.slice(1).map(() => 1)]
        const u = tf.randomUniform(maskShape, 0, 1, 'float32', toSeed(stream(ctx.key, 'dropout')))
        const keep = tf.floor(tf.add(u, keepProb))
        return tf.mul(xt, tf.div(keep, keepProb))
      })
    },
  })
}
