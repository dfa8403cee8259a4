/**
 * `block(dim, heads)`: the pre-norm transformer block of ViT / I-JEPA (reference `Block`):
 *   x ← x + dropPath(attn(norm1(x)))
 *   x ← x + dropPath(mlp(norm2(x)))
 * LayerNorm eps 1e-6, MLP hidden = ⌊dim · mlpRatio⌋ with GELU(erf), qkv with bias.
 *
 * Shape law: `[B, N, dim] → [B, N, dim]`; `heads` must divide `dim`.
 * Params: `norm1.{weight,bias}`, `attn.qkv.{weight,bias}`, `attn.proj.{weight,bias}`,
 * `norm2.{weight,bias}`, `mlp.fc1.{weight,bias}`, `mlp.fc2.{weight,bias}` —
 * 12·dim² + 13·dim parameters at mlpRatio 4.
 * FLOPs: its children's plus one per element for each residual addition.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs'
 * import { initOrThrow, keyOf } from '@jepa-ts/core'
 * import { block } from '@jepa-ts/nn'
 * const b = block(64, 4)
 * const { params } = initOrThrow(b, keyOf(0), [2, 16, 64]) // params.attn.qkv.weight: [192, 64]
 * const y = b.apply(params, tf.randomNormal([2, 16, 64]), { key: keyOf(1), training: false })
 */
import { type AnyLayer, type Dim, type Layer, residual, serial } from '@jepa-ts/core'
import { layerNorm } from './layer-norm.ts'
import { type AttentionParams, attention } from './attention.ts'
import { type MlpParams, mlp } from './mlp.ts'
import type { LayerNormParams } from './layer-norm.ts'
import { dropPath } from './drop-path.ts'
import { scoped } from './scoped.ts'

/** Options of `block`. */
export interface BlockOptions<N extends string = string, Q extends boolean = boolean> {
  /** MLP hidden width as a multiple of `dim` (default 4). */
  readonly mlpRatio?: number
  /** Stochastic-depth probability of both residual branches (default 0: no drop_path layer). */
  readonly dropPathProb?: number
  /** Bias on the fused qkv projection (default true). */
  readonly qkvBias?: Q
  /** LayerNorm eps (default 1e-6). */
  readonly eps?: number
  /** Path segment (default `block`; `repeat` renames copies `0`, `1`, …). */
  readonly name?: N
}

/** The params of `block` (the reference's names). */
export type BlockParams<Q extends boolean = true> = {
  readonly norm1: LayerNormParams
  readonly attn: AttentionParams<Q>
  readonly norm2: LayerNormParams
  readonly mlp: MlpParams
}

type Tokens<D extends number> = readonly [Dim, Dim, D]

/** One pre-norm transformer block. */
export const block = <D extends number, const N extends string = 'block', Q extends boolean = true>(
  dim: D,
  heads: number,
  options: BlockOptions<N, Q> = {},
): Layer<Tokens<D>, Tokens<D>, BlockParams<Q>, N> => {
  const dropPathProb = options.dropPathProb ?? 0
  const eps = options.eps ?? 1e-6
  const hidden = Math.floor(dim * (options.mlpRatio ?? 4))
  const branch = (first: AnyLayer, second: AnyLayer): AnyLayer =>
    residual(dropPathProb > 0 ? serial(first, second, dropPath({ dropProb: dropPathProb }) as AnyLayer) : serial(first, second))
  const norm = (name: string): AnyLayer => layerNorm(dim, { eps, name }) as AnyLayer
  return scoped<Tokens<D>, Tokens<D>, BlockParams<Q>, N>(
    'block',
    options.name ?? ('block' as N),
    serial(
      branch(norm('norm1'), attention(dim, heads, { qkvBias: options.qkvBias ?? true, name: 'attn' }) as AnyLayer),
      branch(norm('norm2'), mlp(dim, hidden, { name: 'mlp' }) as AnyLayer),
    ),
  )
}
