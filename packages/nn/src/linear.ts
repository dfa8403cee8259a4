/**
 * `linear(inDim, outDim)`: the affine map x·Wᵀ + b over the last dim of an input of any rank ≥ 1.
 *
 * Shape law: `[...batch, inDim] → [...batch, outDim]`.
 * Params (PyTorch `nn.Linear` layout, so reference state_dicts map 1:1): `weight` [outDim, inDim]
 * ~ trunc_normal(0.02), `bias` [outDim] = 0 (absent with `bias: false`).
 * FLOPs: 2·inDim·outDim per row (+ outDim per row for the bias).
 *
 * @example
 * import * as tf from '@tensorflow/tfjs'
 * import { initOrThrow, keyOf } from '@jepa-ts/core'
 * import { linear } from '@jepa-ts/nn'
 * const fc = linear(192, 768)
 * const { outDims, params } = initOrThrow(fc, keyOf(0), [2, 196, 192])  // outDims = [2, 196, 768]
 * const y = fc.apply(params, tf.zeros([2, 196, 192]), { key: keyOf(1), training: false })
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type AnyLayer, type Dim, type Dims, type Layer, type Shape, type SpecTree, isMulti, leaf, makeLayer, param, shapeError, sizeOf } from '@jepa-ts/core'
import * as ops from '@jepa-ts/ops'
import { truncNormal, zeros } from './initializers.ts'

/** Options of `linear`. */
export interface LinearOptions<N extends string = string, B extends boolean = boolean> {
  /** Add a bias (default true). */
  readonly bias?: B
  /** Path segment (default `linear`). */
  readonly name?: N
}

/** The params of a linear layer with a bias. */
export type LinearParams = { readonly weight: tf.Tensor; readonly bias: tf.Tensor }
/** The params of a linear layer without a bias (`bias: false`). */
export type LinearWeight = { readonly weight: tf.Tensor }
/** `LinearParams`, or `LinearWeight` when `bias` is `false`. */
export type LinearParamsOf<B extends boolean> = B extends false ? LinearWeight : LinearParams

/** A linear layer `[..., inDim] → [..., outDim]` with PyTorch-layout weight [outDim, inDim]. */
export function linear<I extends number, O extends number, const N extends string = 'linear', B extends boolean = true>(
  inDim: I,
  outDim: O,
  options?: LinearOptions<N, B>,
): Layer<readonly [...Dim[], I], readonly [...Dim[], O], LinearParamsOf<B>, N>
export function linear(inDim: number, outDim: number, options: LinearOptions = {}): AnyLayer {
  const withBias = options.bias ?? true
  return makeLayer<Shape, Shape, { readonly weight: tf.Tensor; readonly bias?: tf.Tensor }>({
    kind: 'linear',
    name: options.name ?? 'linear',
    infer: (inDims, path) => {
      if (!Number.isInteger(inDim) || inDim < 1 || !Number.isInteger(outDim) || outDim < 1) {
        return E.left(shapeError(path, 'positive integer inDim and outDim (linear)', `inDim ${inDim}, outDim ${outDim}`))
      }
      const d = inDims as Dims
      if (isMulti(inDims) || d.length < 1 || d[d.length - 1] !== inDim) return E.left(shapeError(path, `a tensor with last dim ${inDim} (linear)`, inDims))
      const rows = sizeOf(d.slice(0, -1))
      const specs: SpecTree = withBias
        ? { weight: param([outDim, inDim], truncNormal(0.02)), bias: param([outDim], zeros) }
        : { weight: param([outDim, inDim], truncNormal(0.02)) }
      return E.right(leaf([...d.slice(0, -1), outDim], specs, rows * (2 * inDim * outDim + (withBias ? outDim : 0))))
    },
    apply: (params, x) => {
      const xt = x as tf.Tensor
      return tf.tidy(() => {
        const x2 = tf.reshape(xt, [-1, inDim])
        const w = params.weight
        const bias = withBias ? params.bias : undefined
        // The linear op: one sgemm against Wᵀ with the bias added in the same kernel where the
        // backend has it; elsewhere an explicit transpose (the fast path on wasm).
        const y = ops.linear(x2, w, bias)
        return tf.reshape(y, [...xt.shape.slice(0, -1), outDim])
      })
    },
  })
}
