/**
 * `vit(config)`: the I-JEPA Vision Transformer encoder — patch_embed → + pos_embed → blocks → norm,
 * no CLS token (reference `VisionTransformer`), optionally preceded by a param-free `pixelNorm`
 * (`config.pixelNorm`; the reference normalizes its inputs in the data pipeline instead).
 *
 * Shape law: images NHWC `[B, H, W, inChans] → [B, N, dim]` with N = (H/p)·(W/p); H × W must be
 * `config.imageSize` (the fixed position embedding is built for that grid).
 * On a subset of tokens (the I-JEPA context path): `encode(v, params, images, ctx, tokenIdx)` with
 * tokenIdx int32 [B, K] gathers the tokens AFTER adding the position embedding and BEFORE the
 * blocks, giving `[B, K, dim]` — the reference `apply_masks` inside `VisionTransformer.forward`.
 *
 * The returned value `{ layer, embed, trunk, config, grid }`:
 * - `layer` = serial(patch_embed, pos_embed, blocks, norm): `layer.init(key, [B, H, W, C])` gives
 *   the params; `layer.apply(params, images, ctx)` runs the full path.
 * - `embed` = serial(patch_embed, pos_embed) and `trunk` = serial(blocks, norm) are serials of the
 *   very same child layers, transparent, so the params of `layer.init` work for both unchanged.
 * Param paths = reference state_dict names: `patch_embed.proj.{weight,bias}`,
 * `blocks.{i}.norm1.{weight,bias}`, `blocks.{i}.attn.qkv.{weight,bias}`, `blocks.{i}.attn.proj.*`,
 * `blocks.{i}.norm2.*`, `blocks.{i}.mlp.fc1.*`, `blocks.{i}.mlp.fc2.*`, `norm.{weight,bias}`.
 * The reference's frozen `pos_embed` buffer is not a param (it is recomputed; see `pos-embed.ts`).
 * Stochastic depth: block i gets dropPathProb · i/(depth − 1) (the reference's linspace rule).
 * Params: C·p²·dim + dim + depth·(12·dim² + 13·dim) + 2·dim at mlpRatio 4, e.g. ViT-Tiny/16 at 224 has
 * 147,648 + 12·444,864 + 384 = 5,486,400 trainable params (timm's 5,524,416 adds a CLS token and a
 * learnable pos-embed with a CLS slot: +192 + 197·192).
 *
 * @example
 * import * as tf from '@tensorflow/tfjs'
 * import { initOrThrow, keyOf } from '@jepa-ts/core'
 * import { vit, vitPresets, encode } from '@jepa-ts/nn'
 * const v = vit({ ...vitPresets.tiny, depth: 2, imageSize: 32, patchSize: 4, inChans: 3 })
 * const { params } = initOrThrow(v.layer, keyOf(0), [2, 32, 32, 3])
 * const ctx = { key: keyOf(1), training: false }
 * const images = tf.randomNormal([2, 32, 32, 3])
 * const full = encode(v, params, images, ctx)                                   // [2, 64, 192]
 * const part = encode(v, params, images, ctx, tf.tensor2d([[0, 1, 8], [3, 4, 5]], [2, 3], 'int32')) // [2, 3, 192]
 */
import * as tf from '@tensorflow/tfjs'
import { type AnyLayer, type Ctx, type Dim, type Layer, type ParamTree, type Sig, fold, named, repeat, serial, serialAll } from '@jepa-ts/core'
import { type PatchEmbedParams, patchEmbed } from './patch-embed.ts'
import { type PixelNormSettings, pixelNorm } from './pixel-norm.ts'
import { addPosEmbed } from './pos-embed.ts'
import { type BlockParams, block } from './block.ts'
import { type LayerNormParams, layerNorm } from './layer-norm.ts'
import { gatherTokens } from './gather-tokens.ts'
import { checkNumbers } from './config-checks.ts'

/** Width, depth and heads of the standard sizes. */
export interface VitSize {
  readonly dim: number
  readonly depth: number
  readonly heads: number
}

/** The standard sizes: tiny 192/12/3, small 384/12/6, base 768/12/12, large 1024/24/16, huge 1280/32/16. */
export const vitPresets = {
  tiny: { dim: 192, depth: 12, heads: 3 },
  small: { dim: 384, depth: 12, heads: 6 },
  base: { dim: 768, depth: 12, heads: 12 },
  large: { dim: 1024, depth: 24, heads: 16 },
  huge: { dim: 1280, depth: 32, heads: 16 },
} as const satisfies Record<string, VitSize>

/** A ViT encoder configuration. */
export interface VitConfig<C extends number = number, D extends number = number> {
  /** Image side, or [height, width]. */
  readonly imageSize: number | readonly [number, number]
  readonly patchSize: number
  readonly inChans: C
  readonly dim: D
  readonly depth: number
  readonly heads: number
  /** MLP hidden = ⌊dim · mlpRatio⌋ (default 4). */
  readonly mlpRatio?: number
  /** qkv bias (default true). */
  readonly qkvBias?: boolean
  /** Stochastic depth of the last block, linearly 0 → this over the blocks (default 0). */
  readonly dropPathProb?: number
  /** LayerNorm eps (default 1e-6). */
  readonly eps?: number
  /** Standardize the images first (`pixelNorm`, a param-free `pixel_norm` step before patch_embed); default none. */
  readonly pixelNorm?: PixelNormSettings
  /**
   * Std of patch_embed's trunc-normal init (default 0.02, the reference's). The reference's 16×16×3
   * patches have 768 inputs; `0.02·√(768 / (C·p²))` keeps its patch-embedding scale on smaller patches.
   */
  readonly patchInitStd?: number
}

/** Images NHWC. */
export type Images<C extends number> = readonly [Dim, Dim, Dim, C]
/** Tokens [B, N, D]. */
export type Tokens<D extends number> = readonly [Dim, Dim, D]

/** The params of `vit(…).embed`: `patch_embed.proj.{weight, bias}` (pixel_norm and pos_embed have none). */
export type VitEmbedParams = { readonly patch_embed: PatchEmbedParams }
/** The params of `vit(…).trunk`: `blocks.{i}.*` and `norm.{weight, bias}`. */
export type VitTrunkParams = { readonly blocks: { readonly [i: `${number}`]: BlockParams<boolean> }; readonly norm: LayerNormParams }
/** The params of `vit(…).layer`: the embed's and the trunk's, in one scope. */
export type VitParams = VitEmbedParams & VitTrunkParams

/** A ViT encoder: the full layer and its two halves over the same children. */
export interface Vit<C extends number = number, D extends number = number> {
  /** patch_embed → pos_embed → blocks → norm. */
  readonly layer: Layer<Images<C>, Tokens<D>, VitParams, ''>
  /** patch_embed → pos_embed (images to position-embedded tokens). */
  readonly embed: Layer<Images<C>, Tokens<D>, VitEmbedParams, ''>
  /** blocks → norm (tokens to features, any number of tokens). */
  readonly trunk: Layer<Tokens<D>, Tokens<D>, VitTrunkParams, ''>
  readonly config: VitConfig<C, D>
  /** Patch grid [rows, columns] (⌊H/p⌋, ⌊W/p⌋; init rejects sizes p does not divide). */
  readonly grid: readonly [number, number]
}

/** Builds a ViT encoder from a config (no tensors are created until `init`). */
export const vit = <C extends number, D extends number>(config: VitConfig<C, D>): Vit<C, D> => {
  checkNumbers('vit', config, { imageSize: 'positive', patchSize: 'positive', inChans: 'positive', dim: 'positive', depth: 'count', heads: 'positive', mlpRatio: 'ratio', dropPathProb: 'prob', eps: 'ratio' })
  const [H, W] = typeof config.imageSize === 'number' ? [config.imageSize, config.imageSize] : config.imageSize
  const p = config.patchSize
  const grid = [Math.floor(H / p), Math.floor(W / p)] as const
  const { dim, depth, heads } = config
  const maxDrop = config.dropPathProb ?? 0
  const eps = config.eps ?? 1e-6
  const blockOptions = (i: number) => ({
    mlpRatio: config.mlpRatio ?? 4,
    qkvBias: config.qkvBias ?? true,
    eps,
    dropPathProb: depth > 1 ? (maxDrop * i) / (depth - 1) : 0,
  })
  const parts = {
    patchEmbed: patchEmbed(p, config.inChans, dim, config.patchInitStd === undefined ? {} : { initStd: config.patchInitStd }) as AnyLayer,
    posEmbed: addPosEmbed(grid[0], grid[1], dim) as AnyLayer,
    blocks: named('blocks', repeat(depth, (i) => block(dim, heads, blockOptions(i)) as AnyLayer)) as AnyLayer,
    norm: layerNorm(dim, { eps, name: 'norm' }) as AnyLayer,
  }
  // A ViT without pixelNorm has exactly the reference's children (summaries and paths unchanged).
  const front: readonly AnyLayer[] = config.pixelNorm === undefined ? [] : [pixelNorm(config.pixelNorm) as AnyLayer]
  // The typed signatures are stated here once: the runtime checks of `infer` enforce them.
  const typed = <In extends Sig, Out extends Sig, P extends ParamTree>(l: AnyLayer): Layer<In, Out, P, ''> => l as unknown as Layer<In, Out, P, ''>
  return {
    layer: typed<Images<C>, Tokens<D>, VitParams>(serialAll([...front, parts.patchEmbed, parts.posEmbed, parts.blocks, parts.norm])),
    embed: typed<Images<C>, Tokens<D>, VitEmbedParams>(serialAll([...front, parts.patchEmbed, parts.posEmbed])),
    trunk: typed<Tokens<D>, Tokens<D>, VitTrunkParams>(serial(parts.blocks, parts.norm)),
    config,
    grid,
  }
}

/**
 * Runs the encoder: embed → (gather `tokenIdx` if given) → trunk. `images` [B, H, W, C];
 * `tokenIdx` int32 [B, K] with entries in [0, N) (checked on the host; RangeError naming the index).
 * Returns [B, N, dim] or [B, K, dim]. The runtime key is split: embed gets fold(key, 0), trunk fold(key, 1).
 */
export const encode = <C extends number, D extends number>(v: Vit<C, D>, params: ParamTree, images: tf.Tensor, ctx: Ctx, tokenIdx?: tf.Tensor): tf.Tensor =>
  tf.tidy(() => {
    const tokens = runTensor(v.embed as AnyLayer, params, images, { key: fold(ctx.key, 0), training: ctx.training })
    const kept = tokenIdx === undefined ? tokens : gatherTokens(tokens, tokenIdx, 'encode: tokenIdx')
    return runTensor(v.trunk as AnyLayer, params, kept, { key: fold(ctx.key, 1), training: ctx.training })
  })

/** Applies a single-tensor layer through the untyped view (generic shapes cannot be resolved here). */
const runTensor = (l: AnyLayer, params: ParamTree, x: tf.Tensor, ctx: Ctx): tf.Tensor => l.apply(params, x, ctx) as tf.Tensor
