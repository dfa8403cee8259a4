/**
 * `attention(dim, heads)`: multi-head self-attention with a fused `qkv` projection (reference
 * `Attention`). With hd = dim / heads and x of shape [B, N, dim]:
 *   [q, k, v] = split(qkv(x) as [B, N, 3, heads, hd]) → each [B, heads, N, hd]
 *   out = proj(merge_heads(softmax_over_keys(q·kᵀ · hd^−½) · v))
 *
 * Shape law: `[B, N, dim] → [B, N, dim]`; `heads` must divide `dim` (init error naming the path,
 * `dim` and `heads`).
 * Params: `qkv.weight` [3·dim, dim] (rows: q, then k, then v; within each, head-major), `qkv.bias`
 * [3·dim] (absent with `qkvBias: false`), `proj.weight` [dim, dim], `proj.bias` [dim].
 * FLOPs: the two linears + 2·B·N²·dim for q·kᵀ + 2·B·N²·dim for attn·v + 2·B·heads·N² for scaling
 * and softmax (one per score each).
 *
 * @example
 * import * as tf from '@tensorflow/tfjs'
 * import { initOrThrow, keyOf } from '@jepa-ts/core'
 * import { attention } from '@jepa-ts/nn'
 * const attn = attention(64, 4)
 * const { params } = initOrThrow(attn, keyOf(0), [2, 16, 64])
 * const y = attn.apply(params, tf.randomNormal([2, 16, 64]), { key: keyOf(1), training: false }) // [2, 16, 64]
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type AnyLayer, type Dim, type Dims, type Layer, type ParamTree, fold, isMulti, makeLayer, shapeError, subtreeOrEmpty } from '@jepa-ts/core'
import * as ops from '@jepa-ts/ops'
import { type LinearParams, type LinearParamsOf, linear } from './linear.ts'
import { childInfer } from './scoped.ts'

/** Options of `attention`. */
export interface AttentionOptions<N extends string = string, Q extends boolean = boolean> {
  /** Bias on the fused qkv projection (default true, as I-JEPA's ViTs). */
  readonly qkvBias?: Q
  /** Path segment (default `attn`). */
  readonly name?: N
}

/** The params of `attention` (`qkv` without `bias` when `qkvBias` is false). */
export type AttentionParams<Q extends boolean = true> = { readonly qkv: LinearParamsOf<Q>; readonly proj: LinearParams }

/** Multi-head self-attention over the token axis. */
export const attention = <D extends number, const N extends string = 'attn', Q extends boolean = true>(
  dim: D,
  heads: number,
  options: AttentionOptions<N, Q> = {},
): Layer<readonly [Dim, Dim, D], readonly [Dim, Dim, D], AttentionParams<Q>, N> => {
  const qkv = linear(dim, 3 * dim, { name: 'qkv', bias: options.qkvBias ?? true }) as unknown as AnyLayer
  const proj = linear(dim, dim, { name: 'proj' }) as unknown as AnyLayer
  const headDim = dim / heads
  const scale = headDim ** -0.5
  return makeLayer<readonly [Dim, Dim, D], readonly [Dim, Dim, D], AttentionParams<Q>, N>({
    kind: 'attention',
    name: options.name ?? ('attn' as N),
    infer: (inDims, path) => {
      const d = inDims as Dims
      if (isMulti(inDims) || d.length !== 3 || d[2] !== dim) return E.left(shapeError(path, `[B, N, ${dim}] (attention)`, inDims))
      if (!Number.isInteger(heads) || heads < 1 || dim % heads !== 0) {
        return E.left(shapeError(path, `a head count that divides the width (attention)`, `dim ${dim}, heads ${heads} (${dim} % ${heads} = ${dim % heads})`))
      }
      const [B, N] = [d[0]!, d[1]!]
      const q = childInfer(qkv, d, path)
      if (E.isLeft(q)) return q
      const p = childInfer(proj, d, path)
      if (E.isLeft(p)) return p
      const attnFlops = 2 * (2 * B * N * N * dim) + 2 * B * heads * N * N
      return E.right({
        outDims: d,
        params: { qkv: q.right.inferred.params, proj: p.right.inferred.params },
        flops: q.right.inferred.flops + p.right.inferred.flops + attnFlops,
        children: [q.right.report, p.right.report],
      })
    },
    apply: (params, x, ctx) => {
      const xt = x as tf.Tensor
      const [B, N] = [xt.shape[0]!, xt.shape[1]!]
      return tf.tidy(() => {
        const fused = qkv.apply(subtreeOrEmpty(params, 'qkv'), xt, { key: fold(ctx.key, 0), training: ctx.training }) as tf.Tensor
        const split = tf.transpose(tf.reshape(fused, [B, N, 3, heads, headDim]), [2, 0, 3, 1, 4]) // [3, B, heads, N, hd]
        const [q, k, v] = tf.unstack(split, 0) as [tf.Tensor, tf.Tensor, tf.Tensor]
        // softmax(q·kᵀ·scale)·v: the attention op (one fused kernel and its backward where the backend has them).
        const attended = ops.attention(q, k, v, scale) // [B, heads, N, hd]
        const mixed = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [B, N, dim])
        return proj.apply(subtreeOrEmpty(params, 'proj'), mixed, { key: fold(ctx.key, 1), training: ctx.training }) as tf.Tensor
      })
    },
  })
}
