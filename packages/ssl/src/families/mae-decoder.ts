/**
 * The MAE decoder as a layer (He et al. 2021, https://arxiv.org/abs/2111.06377; facebookresearch/mae
 * `models_mae.py` `forward_decoder`), so init, summary, params and FLOPs cover it — `mask_token`
 * included.
 *
 *   x   = decoder_embed(latent)                                   [B, K, D] → [B, K, Dd]
 *   x   = unshuffle([x, L − K copies of mask_token], idsRestore)  [B, L, Dd] (a gather by idsRestore)
 *   out = decoder_pred(decoder_norm(decoder_blocks(x + pe)))      [B, L, p²·C]
 * With `clsToken` (the reference's layout): row 0 of `latent` is the CLS row; it skips the unshuffle
 * and the position embedding, runs through the blocks, and is dropped from the output.
 *
 * Shape law: `([B, K, D], [B, L]) → [B, L, p²·C]` (`[B, 1 + K, D]` with `clsToken`), 1 ≤ K ≤ L,
 * L = the grid's token count; idsRestore int32 with every entry in [0, L) (checked on the host).
 * Params (the reference's names): `decoder_embed.{weight [Dd, D], bias}`, `mask_token` [1, 1, Dd]
 * ~ 0.02·N(0, 1), `decoder_blocks.{i}.*`, `decoder_norm.{weight, bias}`,
 * `decoder_pred.{weight [p²·C, Dd], bias}`. The fixed sin-cos `decoder_pos_embed` is not a param.
 * FLOPs: the children's at their shapes (embedding on B·K rows, the trunk on B·L (+ B) rows).
 *
 * @example
 * import * as tf from '@tensorflow/tfjs'
 * import { initOrThrow, keyOf, summarize } from '@jepa-ts/core'
 * import { maeDecoder } from '@jepa-ts/ssl'
 * const d = maeDecoder([4, 4], 32, { dim: 16, depth: 1, heads: 2 }, 48)
 * const { params } = initOrThrow(d.layer, keyOf(0), [[2, 4, 32], [2, 16]])   // params.mask_token: [1, 1, 16]
 * const idsRestore = tf.tensor2d([Array.from({ length: 16 }, (_, i) => i), Array.from({ length: 16 }, (_, i) => 15 - i)], [2, 16], 'int32')
 * const pred = d.layer.apply(params, [tf.randomNormal([2, 4, 32]), idsRestore], { key: keyOf(1), training: false }) // [2, 16, 48]
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import {
  type AnyLayer,
  type Ctx,
  type Dim,
  type Dims,
  type Inferred,
  type Layer,
  type ParamSpec,
  type ParamTree,
  type Report,
  type SpecTree,
  checkParams,
  isMulti,
  makeLayer,
  named,
  normal,
  param,
  repeat,
  serialAll,
  shapeError,
} from '@jepa-ts/core'
import { type BlockParams, type LayerNormParams, type LinearParams, addPosEmbed, block, childInfer, gatherTokens, layerNorm, linear } from '@jepa-ts/nn'

/** Inputs of the decoder layer: the encoder's latent [B, K(+1), D] and idsRestore [B, L]. */
export type MaeDecoderIn = readonly [readonly [Dim, Dim, number], readonly [Dim, Dim]]

/** The params of the MAE decoder (the reference's names). */
export type MaeDecoderParams = {
  readonly decoder_embed: LinearParams
  readonly mask_token: tf.Tensor
  readonly decoder_blocks: { readonly [i: `${number}`]: BlockParams }
  readonly decoder_norm: LayerNormParams
  readonly decoder_pred: LinearParams
}

/** The light decoder: its layer, and the children it is made of (for FLOPs claims and import layouts). */
export interface MaeDecoder {
  /** The whole decoder: `([B, K(+1), D], [B, L]) → [B, L, p²·C]`, scope `decoder`. */
  readonly layer: Layer<MaeDecoderIn, readonly [Dim, Dim, number], MaeDecoderParams, 'decoder'>
  /** decoder_embed (D → Dd). */
  readonly embed: AnyLayer
  /** pos-embed, blocks, norm, pred (Dd → p²·C), transparent. */
  readonly trunk: AnyLayer
  /** The trunk's first child (the fixed pos-embed) and the rest, over the same children. */
  readonly pos: AnyLayer
  readonly body: AnyLayer
  readonly dim: number
  readonly tokens: number
  /** Row 0 of the latent is the reference's CLS row (see the module doc). */
  readonly clsToken: boolean
}

const maskTokenInit = (key: Parameters<typeof normal>[0], shape: Dims): Float32Array => normal(key, shape[2]!).map((x) => 0.02 * x)

const subtreeOf = (params: ParamTree, name: string): ParamTree => {
  const s = params[name]
  return s === undefined || s instanceof tf.Tensor ? {} : s
}

/**
 * Appends L − K copies of `maskToken` [1, 1, Dd] to `visible` [B, K, Dd] (shuffled order) and
 * unshuffles with a gather: row i of the result is row idsRestore[b, i] of [visible, mask tokens], so
 * visible token j lands at position idsShuffle[b, j] and every other position holds the mask token.
 */
export const appendAndUnshuffle = (visible: tf.Tensor, maskToken: tf.Tensor, idsRestore: tf.Tensor): tf.Tensor =>
  tf.tidy(() => {
    const [B, K, L] = [visible.shape[0]!, visible.shape[1]!, idsRestore.shape[1]!]
    return gatherTokens(tf.concat([visible, tf.tile(maskToken, [B, L - K, 1])], 1), idsRestore, 'appendAndUnshuffle: idsRestore')
  })

/** Builds the decoder for a grid, an encoder width and a patch of p²·C values. */
export const maeDecoder = (
  grid: readonly [number, number],
  encoderDim: number,
  decoder: { readonly dim: number; readonly depth: number; readonly heads: number },
  patchValues: number,
  options: { readonly clsToken?: boolean } = {},
): MaeDecoder => {
  const clsToken = options.clsToken ?? false
  const Dd = decoder.dim
  const L = grid[0] * grid[1]
  const embed = linear(encoderDim, Dd, { name: 'decoder_embed' }) as AnyLayer
  const pos = addPosEmbed(grid[0], grid[1], Dd, { name: 'decoder_pos_embed' }) as AnyLayer
  const blocks = named('decoder_blocks', repeat(decoder.depth, () => block(Dd, decoder.heads) as AnyLayer)) as AnyLayer
  const norm = layerNorm(Dd, { name: 'decoder_norm' }) as AnyLayer
  const pred = linear(Dd, patchValues, { name: 'decoder_pred' }) as AnyLayer
  const trunk = serialAll([pos, blocks, norm, pred])
  const body = serialAll([blocks, norm, pred])
  const extra = clsToken ? 1 : 0

  const layer = makeLayer<MaeDecoderIn, readonly [Dim, Dim, number], MaeDecoderParams, 'decoder'>({
    kind: 'maeDecoder',
    name: 'decoder',
    infer: (inDims, path) => {
      const expected = `([B, ${clsToken ? '1 + K' : 'K'}, ${encoderDim}], [B, ${L}]) with 1 ≤ K ≤ ${L} (maeDecoder: latent, idsRestore)`
      if (!isMulti(inDims) || inDims.length !== 2) return E.left(shapeError(path, expected, inDims))
      const [lat, ids] = inDims as readonly [Dims, Dims]
      const K = (lat[1] ?? 0) - extra
      if (lat.length !== 3 || lat[2] !== encoderDim || ids.length !== 2 || ids[0] !== lat[0] || ids[1] !== L || K < 1 || K > L) return E.left(shapeError(path, expected, inDims))
      const B = lat[0]!
      const e = childInfer(embed, lat, path)
      if (E.isLeft(e)) return e
      const children: Report[] = [e.right.report]
      const specs: Record<string, SpecTree | ParamSpec> = { decoder_embed: e.right.inferred.params, mask_token: param([1, 1, Dd], maskTokenInit) }
      let flops = e.right.inferred.flops
      // Transparent serials: their children's rows and params join this scope directly.
      const parts: ReadonlyArray<readonly [AnyLayer, Dims]> = clsToken ? [[pos, [B, L, Dd]], [body, [B, L + 1, Dd]]] : [[trunk, [B, L, Dd]]]
      for (const [child, dims] of parts) {
        const r: E.Either<ReturnType<typeof shapeError>, Inferred> = child.infer(dims, path)
        if (E.isLeft(r)) return r
        children.push(...r.right.children)
        Object.assign(specs, r.right.params)
        flops += r.right.flops
      }
      return E.right({ outDims: [B, L, patchValues], params: specs, flops, children })
    },
    apply: (params, x, ctx) => {
      const [latent, idsRestore] = x as readonly [tf.Tensor, tf.Tensor]
      return tf.tidy(() => {
        const e = embed.apply(subtreeOf(params, 'decoder_embed'), latent, ctx) as tf.Tensor
        if (!clsToken) return trunk.apply(params, appendAndUnshuffle(e, params.mask_token, idsRestore), ctx) as tf.Tensor
        const [B, K1] = [e.shape[0]!, e.shape[1]!]
        const cls = tf.slice(e, [0, 0, 0], [B, 1, Dd])
        const positioned = pos.apply(params, appendAndUnshuffle(tf.slice(e, [0, 1, 0], [B, K1 - 1, Dd]), params.mask_token, idsRestore), ctx) as tf.Tensor
        const out = body.apply(params, tf.concat([cls, positioned], 1), ctx) as tf.Tensor
        return tf.slice(out, [0, 1, 0], [B, L, patchValues])
      })
    },
  })
  return { layer, embed, trunk, pos, body, dim: Dd, tokens: L, clsToken }
}

/**
 * The decoder as a function of an untyped tree (a family's `decoder` branch): the tree is checked
 * against the decoder's specs (`checkParams`), then the layer runs. latent [B, K(+1), D] (visible
 * tokens in shuffled order), idsRestore int32 [B, L] → [B, L, p²·C].
 */
export const maeDecode = (d: MaeDecoder) => (params: ParamTree, latent: tf.Tensor, idsRestore: tf.Tensor, ctx: Ctx): tf.Tensor =>
  d.layer.apply(checkParams(d.layer, params, [latent.shape, idsRestore.shape]), [latent, idsRestore], ctx) as tf.Tensor
