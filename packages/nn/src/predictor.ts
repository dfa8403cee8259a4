/**
 * `predictor(config)`: the I-JEPA predictor (reference `VisionTransformerPredictor`), a narrow ViT
 * that predicts target-block representations from context tokens.
 *
 * Forward, with B samples, Kc context tokens, T target blocks of Kt tokens each, pe = the
 * predictor's own fixed 2-D sin-cos table [gridH·gridW, predictorDim] (see `pos-embed.ts`):
 *   z      = predictor_embed(ctxTokens) + pe[ctxIdx]                 [B, Kc, Dp]
 *   m_t    = mask_token + pe[targetIdx[t]]                            [B, Kt, Dp] for each t
 *   x      = concat_tokens(tile_T(z), concat_batch(m_0 … m_{T−1}))    [T·B, Kc + Kt, Dp]
 *   y      = predictor_proj(predictor_norm(predictor_blocks(x))[:, Kc:])   [T·B, Kt, D]
 * Each target block gets its own copy of the context along the batch axis, so tokens of different
 * target blocks never attend to each other. Output row t·B + b is target block t of sample b (the
 * reference's `apply_masks` / `x.repeat(len(masks), 1, 1)` order).
 *
 * Why a layer with a tuple input rather than a plain function: the index tensors are inputs like
 * any other, so the shape, params and FLOPs interpreters (init, summary) cover the predictor too.
 * `predict(p, params, ctxTokens, ctxIdx, targetIdx[], ctx)` is the plain-function view that stacks
 * the list of target blocks (all of the same Kt, as the reference collator makes them).
 *
 * Shape law: `([B, Kc, D], [B, Kc], [T, B, Kt]) → [T·B, Kt, D]`; every index in [0, gridH·gridW)
 * (checked on the host; RangeError naming the index). Heads must divide predictorDim, and 4 must.
 * Params (reference names): `predictor_embed.{weight [Dp, D], bias}`, `mask_token` [1, 1, Dp]
 * ~ trunc_normal(0.02), `predictor_blocks.{i}.*` (as `block`), `predictor_norm.{weight,bias}`,
 * `predictor_proj.{weight [D, Dp], bias}`. The reference's frozen `predictor_pos_embed` buffer is
 * recomputed, not a param. No depth-scaled re-init (the reference's `init_model` undoes it).
 * FLOPs: predictor_embed on B·Kc rows, + pe additions, blocks and norm on [T·B, Kc + Kt, Dp],
 * predictor_proj on T·B·Kt rows.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs'
 * import { initOrThrow, keyOf } from '@jepa-ts/core'
 * import { predictor, predict } from '@jepa-ts/nn'
 * const p = predictor({ grid: [8, 8], embedDim: 64, predictorDim: 32, depth: 2, heads: 4 })
 * const { params } = initOrThrow(p.layer, keyOf(0), [[2, 10, 64], [2, 10], [3, 2, 6]])
 * const ctxIdx = tf.tensor2d([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]], [2, 10], 'int32')
 * const targets = [0, 1, 2].map((t) => tf.tensor2d([[40, 41, 42, 48, 49, 50], [33, 34, 35, 36, 37, 38]].map((r) => r.map((i) => i + t)), [2, 6], 'int32'))
 * const out = predict(p, params, tf.randomNormal([2, 10, 64]), ctxIdx, targets, { key: keyOf(1), training: false }) // [6, 6, 64]
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type AnyLayer, type Ctx, type Dim, type Dims, type Layer, type ParamTree, type Report, type SpecTree, fold, isMulti, makeLayer, named, param, repeat, shapeError, subtreeOrEmpty } from '@jepa-ts/core'
import { type LinearParams, linear } from './linear.ts'
import { type LayerNormParams, layerNorm } from './layer-norm.ts'
import { type BlockParams, block } from './block.ts'
import { posEmbed2d } from './pos-embed.ts'
import { checkTokenIndices } from './gather-tokens.ts'
import { truncNormal } from './initializers.ts'
import { childInfer } from './scoped.ts'
import { checkNumbers } from './config-checks.ts'

/** Configuration of the predictor. */
export interface PredictorConfig<D extends number = number> {
  /** The encoder's patch grid [rows, columns] (its position embedding is built for it). */
  readonly grid: readonly [number, number]
  /** Encoder width D (input and output width). */
  readonly embedDim: D
  /** Predictor width Dp (paper default 384). */
  readonly predictorDim: number
  /** Number of predictor blocks (paper default 12). */
  readonly depth: number
  /** Heads (the encoder's). */
  readonly heads: number
  /** MLP hidden = ⌊Dp · mlpRatio⌋ (default 4). */
  readonly mlpRatio?: number
  /** Stochastic depth of the last block, linearly 0 → this (default 0). */
  readonly dropPathProb?: number
  /** LayerNorm eps (default 1e-6). */
  readonly eps?: number
}

/** Inputs of the predictor layer: context tokens [B, Kc, D], context indices [B, Kc], target indices [T, B, Kt]. */
export type PredictorIn<D extends number> = readonly [readonly [Dim, Dim, D], readonly [Dim, Dim], readonly [Dim, Dim, Dim]]

/** The params of the predictor (the reference's names). */
export type PredictorParams = {
  readonly predictor_embed: LinearParams
  readonly mask_token: tf.Tensor
  readonly predictor_blocks: { readonly [i: `${number}`]: BlockParams }
  readonly predictor_norm: LayerNormParams
  readonly predictor_proj: LinearParams
}

/** The predictor: its layer (for init, summary and apply) and its config. */
export interface Predictor<D extends number = number> {
  readonly layer: Layer<PredictorIn<D>, readonly [Dim, Dim, D], PredictorParams, string>
  readonly config: PredictorConfig<D>
}

/** Builds the I-JEPA predictor. */
export const predictor = <D extends number>(config: PredictorConfig<D>, options: { readonly name?: string } = {}): Predictor<D> => {
  checkNumbers('predictor', config, { grid: 'positive', embedDim: 'positive', predictorDim: 'positive', depth: 'count', heads: 'positive', mlpRatio: 'ratio', dropPathProb: 'prob', eps: 'ratio' })
  const { embedDim: D, predictorDim: Dp, depth, heads } = config
  const [gridH, gridW] = config.grid
  const N = gridH * gridW
  const eps = config.eps ?? 1e-6
  const maxDrop = config.dropPathProb ?? 0
  const embed = named('predictor_embed', linear(D, Dp)) as AnyLayer
  const blocks = named(
    'predictor_blocks',
    repeat(depth, (i) => block(Dp, heads, { mlpRatio: config.mlpRatio ?? 4, eps, dropPathProb: depth > 1 ? (maxDrop * i) / (depth - 1) : 0 }) as AnyLayer),
  ) as AnyLayer
  const norm = layerNorm(Dp, { eps, name: 'predictor_norm' }) as AnyLayer
  const proj = named('predictor_proj', linear(Dp, D)) as AnyLayer
  let table: Float32Array | undefined
  const peRows = (idx: Int32Array, shape: readonly number[]): tf.Tensor => {
    table ??= posEmbed2d(gridH, gridW, Dp)
    return tf.gather(tf.tensor2d(table, [N, Dp]), tf.tensor(idx, [...shape], 'int32'), 0)
  }

  const layer = makeLayer<PredictorIn<D>, readonly [Dim, Dim, D], PredictorParams>({
    kind: 'predictor',
    name: options.name ?? 'predictor',
    infer: (inDims, path) => {
      const expected = `([B, Kc, ${D}], [B, Kc], [T, B, Kt]) (predictor: context tokens, context indices, target indices)`
      if (!isMulti(inDims) || inDims.length !== 3) return E.left(shapeError(path, expected, inDims))
      const [tok, ci, ti] = inDims as readonly [Dims, Dims, Dims]
      if (tok.length !== 3 || tok[2] !== D || ci.length !== 2 || ti.length !== 3 || ci[0] !== tok[0] || ci[1] !== tok[1] || ti[1] !== tok[0] || ti[0]! < 1) {
        return E.left(shapeError(path, expected, inDims))
      }
      if (!Number.isInteger(Dp) || Dp < 4 || Dp % 4 !== 0) return E.left(shapeError(path, 'a predictor width divisible by 4 (2-D sin-cos position embedding)', `predictorDim ${Dp}`))
      const [B, Kc, T, Kt] = [tok[0]!, tok[1]!, ti[0]!, ti[2]!]
      const rows = T * B
      const children: Report[] = []
      const specs: Record<string, SpecTree | ReturnType<typeof param>> = {}
      let flops = B * Kc * Dp + rows * Kt * Dp * 2 // pe additions, mask token + pe
      const steps: Array<readonly [AnyLayer, Dims]> = [
        [embed, tok],
        [blocks, [rows, Kc + Kt, Dp]],
        [norm, [rows, Kc + Kt, Dp]],
        [proj, [rows, Kt, Dp]],
      ]
      for (const [child, dims] of steps) {
        const r = childInfer(child, dims, path)
        if (E.isLeft(r)) return r
        children.push(r.right.report)
        flops += r.right.inferred.flops
        if (Object.keys(r.right.inferred.params).length > 0) specs[child.name] = r.right.inferred.params
        if (child === embed) specs.mask_token = param([1, 1, Dp], truncNormal(0.02))
      }
      return E.right({ outDims: [rows, Kt, D], params: specs, flops, children })
    },
    apply: (params, x, ctx) => {
      const [ctxTokens, ctxIdx, targetIdx] = x as readonly [tf.Tensor, tf.Tensor, tf.Tensor]
      const ci = checkTokenIndices(ctxIdx, N, 'predictor: ctxIdx')
      const ti = checkTokenIndices(targetIdx, N, 'predictor: targetIdx')
      const [B, Kc] = [ctxTokens.shape[0]!, ctxTokens.shape[1]!]
      const [T, Kt] = [targetIdx.shape[0]!, targetIdx.shape[2]!]
      const at = (i: number): Ctx => ({ key: fold(ctx.key, i), training: ctx.training })
      return tf.tidy(() => {
        const z = tf.add(embed.apply(subtreeOrEmpty(params, embed.name), ctxTokens, at(0)) as tf.Tensor, peRows(ci, [B, Kc]))
        const targets = tf.add(tf.reshape(params.mask_token, [1, 1, Dp]), peRows(ti, [T * B, Kt]))
        const tokens = tf.concat([tf.tile(z, [T, 1, 1]), targets], 1)
        const h = norm.apply(subtreeOrEmpty(params, norm.name), blocks.apply(subtreeOrEmpty(params, blocks.name), tokens, at(1)), at(2)) as tf.Tensor
        return proj.apply(subtreeOrEmpty(params, proj.name), tf.slice(h, [0, Kc, 0], [T * B, Kt, Dp]), at(3)) as tf.Tensor
      })
    },
  })
  return { layer, config }
}

/**
 * Plain-function view of the predictor: `targetIdx` is the list of T target blocks, each int32
 * [B, Kt] (same Kt). Returns [T·B, Kt, D], row t·B + b = block t of sample b.
 */
export const predict = <D extends number>(p: Predictor<D>, params: ParamTree, ctxTokens: tf.Tensor, ctxIdx: tf.Tensor, targetIdx: readonly tf.Tensor[], ctx: Ctx): tf.Tensor => {
  if (targetIdx.length === 0) throw new RangeError('predict: expected at least one target block, got none')
  const shapes = targetIdx.map((t) => `[${t.shape.join(', ')}]`)
  if (new Set(shapes).size !== 1) throw new RangeError(`predict: all target blocks must have the same shape [B, Kt], got ${shapes.join(', ')}`)
  return tf.tidy(() => (p.layer as unknown as AnyLayer).apply(params, [ctxTokens, ctxIdx, tf.stack([...targetIdx])], ctx) as tf.Tensor)
}
