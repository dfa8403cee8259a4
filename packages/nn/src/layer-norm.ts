/**
 * `layerNorm(dim)`: normalizes over the last dim, y = (x − mean) / √(var + eps) · weight + bias,
 * with the biased variance (as PyTorch `nn.LayerNorm`). Default eps 1e-6 (the I-JEPA reference).
 *
 * Shape law: `[...batch, dim] → [...batch, dim]`.
 * Params: `weight` [dim] = 1, `bias` [dim] = 0; none with `affine: false` (the I-JEPA target
 * normalization). FLOPs: 8 per element (mean, centre, square, mean, scale, affine), an estimate.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs'
 * import { initOrThrow, keyOf } from '@jepa-ts/core'
 * import { layerNorm } from '@jepa-ts/nn'
 * const norm = layerNorm(64)
 * const { params } = initOrThrow(norm, keyOf(0), [2, 16, 64])
 * const y = norm.apply(params, tf.randomNormal([2, 16, 64], 0, 1, 'float32', 1), { key: keyOf(1), training: false })
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type AnyLayer, type Dim, type Dims, type Layer, type NoParams, type Shape, isMulti, leaf, makeLayer, param, shapeError, sizeOf } from '@jepa-ts/core'
import * as ops from '@jepa-ts/ops'
import { ones, zeros } from './initializers.ts'

/** Options of `layerNorm`. */
export interface LayerNormOptions<N extends string = string, A extends boolean = boolean> {
  /** Added to the variance (default 1e-6). */
  readonly eps?: number
  /** Learnable `weight` and `bias` (default true). */
  readonly affine?: A
  /** Path segment (default `norm`). */
  readonly name?: N
}

/** The params of an affine layer norm. */
export type LayerNormParams = { readonly weight: tf.Tensor; readonly bias: tf.Tensor }
/** `LayerNormParams`, or `NoParams` when `affine` is `false`. */
export type LayerNormParamsOf<A extends boolean> = A extends false ? NoParams : LayerNormParams

/** Layer normalization over the last dim. */
export function layerNorm<D extends number, const N extends string = 'norm', A extends boolean = true>(
  dim: D,
  options?: LayerNormOptions<N, A>,
): Layer<readonly [...Dim[], D], readonly [...Dim[], D], LayerNormParamsOf<A>, N>
export function layerNorm(dim: number, options: LayerNormOptions = {}): AnyLayer {
  const eps = options.eps ?? 1e-6
  const affine = options.affine ?? true
  return makeLayer<Shape, Shape, LayerNormParams>({
    kind: 'layerNorm',
    name: options.name ?? 'norm',
    infer: (inDims, path) => {
      const d = inDims as Dims
      if (isMulti(inDims) || d.length < 1 || d[d.length - 1] !== dim) return E.left(shapeError(path, `a tensor with last dim ${dim} (layerNorm)`, inDims))
      if (!(eps > 0)) return E.left(shapeError(path, 'eps > 0 (layerNorm)', `eps ${eps}`))
      return E.right(leaf(d, affine ? { weight: param([dim], ones), bias: param([dim], zeros) } : {}, 8 * sizeOf(d)))
    },
    apply: (params, x) =>
      // The layer-norm op: one fused kernel (and one backward kernel) where the backend has them.
      affine ? ops.layerNorm(x as tf.Tensor, params.weight, params.bias, eps) : ops.layerNorm(x as tf.Tensor, undefined, undefined, eps),
  })
}
