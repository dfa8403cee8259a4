/**
 * `dropout({ dropProb })`: in training, zeroes each element with probability `dropProb` and scales
 * the survivors by 1/(1 − dropProb), so the expectation is unchanged; identity when `!ctx.training`
 * or `dropProb = 0`.
 *
 * Shape law: `S → S`. No params. Randomness: the `dropout` stream of `ctx.key` (via `toSeed`, never
 * tfjs's "unseeded" seed 0), so the same key gives the same mask. `dropProb` must lie in [0, 1).
 *
 * @example
 * import * as tf from '@tensorflow/tfjs'
 * import { keyOf } from '@jepa-ts/core'
 * import { dropout } from '@jepa-ts/nn'
 * const y = dropout({ dropProb: 0.1 }).apply({}, tf.ones([4, 8]), { key: keyOf(3), training: true })
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type Dims, type Layer, type NoParams, type Shape, isMulti, leaf, makeLayer, shapeError, sizeOf, stream, toSeed } from '@jepa-ts/core'

/** Options of `dropout`. */
export interface DropoutOptions {
  /** Probability of zeroing an element, in [0, 1). */
  readonly dropProb: number
  /** Path segment (default `drop`). */
  readonly name?: string
}

/** Element-wise dropout. */
export const dropout = <S extends Shape = Shape>(options: DropoutOptions): Layer<S, S, NoParams> => {
  const { dropProb } = options
  return makeLayer<S, S, NoParams>({
    kind: 'dropout',
    name: options.name ?? 'drop',
    infer: (inDims, path) => {
      if (!(dropProb >= 0 && dropProb < 1)) return E.left(shapeError(path, 'dropProb in [0, 1) (dropout)', `dropProb ${dropProb}`))
      if (isMulti(inDims)) return E.left(shapeError(path, 'one tensor (dropout)', inDims))
      return E.right(leaf(inDims, {}, dropProb > 0 ? 2 * sizeOf(inDims as Dims) : 0))
    },
    apply: (_p, x, ctx) => {
      const xt = x as tf.Tensor
      if (!ctx.training || dropProb === 0) return xt
      return tf.tidy(() => {
        const u = tf.randomUniform(xt.shape, 0, 1, 'float32', toSeed(stream(ctx.key, 'dropout')))
        const keep = tf.cast(tf.greaterEqual(u, dropProb), 'float32')
        return tf.mul(xt, tf.mul(keep, 1 / (1 - dropProb)))
      })
    },
  })
}
