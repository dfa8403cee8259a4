/**
 * `gelu()`: the Gaussian error linear unit, elementwise.
 *
 * - `approximate: 'erf'` (default, PyTorch `nn.GELU()`): gelu(x) = ½·x·(1 + erf(x/√2)), built from
 *   `tf.erf` (tfjs has no exact GELU op; `tf.erf` has a registered gradient).
 * - `approximate: 'tanh'` (PyTorch `nn.GELU(approximate='tanh')`):
 *   ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 *
 * Shape law: `S → S`. No params. FLOPs: 1 per element (counted as one elementwise op).
 *
 * @example
 * import * as tf from '@tensorflow/tfjs'
 * import { keyOf } from '@jepa-ts/core'
 * import { gelu } from '@jepa-ts/nn'
 * const y = gelu().apply({}, tf.tensor([-1, 0, 1]), { key: keyOf(0), training: false }) // ≈ [-0.1587, 0, 0.8413]
 */
import * as tf from '@tensorflow/tfjs'
import * as ops from '@jepa-ts/ops'
import * as E from 'fp-ts/lib/Either.js'
import { type Dims, type Layer, type NoParams, type Shape, isMulti, leaf, makeLayer, shapeError, sizeOf } from '@jepa-ts/core'

/** Options of `gelu`. */
export interface GeluOptions {
  /** `erf` (exact, default) or `tanh` (approximation). */
  readonly approximate?: 'erf' | 'tanh'
  /** Path segment (default `act`, as the reference MLP). */
  readonly name?: string
}

/** The exact (erf) GELU of a tensor (the `gelu` op of @jepa-ts/ops). */
export const geluErf = (x: tf.Tensor): tf.Tensor => ops.gelu(x)

/** The tanh approximation of GELU. */
export const geluTanh = (x: tf.Tensor): tf.Tensor =>
  tf.tidy(() => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI))
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1))
  })

/** GELU as a layer. */
export const gelu = <S extends Shape = Shape>(options: GeluOptions = {}): Layer<S, S, NoParams> => {
  const approximate = options.approximate ?? 'erf'
  const f = approximate === 'erf' ? geluErf : geluTanh
  return makeLayer<S, S, NoParams>({
    kind: `gelu(${approximate})`,
    name: options.name ?? 'act',
    infer: (inDims, path) => (isMulti(inDims) ? E.left(shapeError(path, 'one tensor (gelu)', inDims)) : E.right(leaf(inDims, {}, sizeOf(inDims as Dims)))),
    apply: (_p, x) => f(x as tf.Tensor),
  })
}
