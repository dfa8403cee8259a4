/**
 * Type tests for the params types of the nn constructors (checked by `tsc --noEmit`): each
 * `@ts-expect-error` line must stay an error; the unmarked lines must keep compiling. The runtime
 * side (the trees `init` makes have these paths) is in params.test.ts.
 */
import type * as tf from '@tensorflow/tfjs'
import { type NoParams, type ParamsOf, initOrThrow, keyOf, named, serial } from '@jepa-ts/core'
import {
  type AttentionParams, type BlockParams, type LayerNormParams, type LinearParams, type LinearWeight, type MlpParams, type PatchEmbedParams, type PredictorParams, type VitParams,
  attention, block, gelu, layerNorm, linear, mlp, patchEmbed, predictor, vit,
} from '@jepa-ts/nn'

type Eq<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
type Assert<T extends true> = T
declare const x: tf.Tensor
declare const w: tf.Tensor
const ctx = { key: keyOf(0), training: false }

export type L1 = Assert<Eq<ParamsOf<ReturnType<typeof linear<4, 8>>>, LinearParams>>
export const noBias = linear(4, 8, { bias: false })
export type L2 = Assert<Eq<ParamsOf<typeof noBias>, LinearWeight>>
export const plainNorm = layerNorm(8, { affine: false })
export type N1 = Assert<Eq<ParamsOf<typeof plainNorm>, NoParams>>
export type N2 = Assert<Eq<ParamsOf<ReturnType<typeof layerNorm<8>>>, LayerNormParams>>
export type A1 = Assert<Eq<ParamsOf<ReturnType<typeof attention<8>>>, AttentionParams>>
export type B1 = Assert<Eq<ParamsOf<ReturnType<typeof block<8>>>, BlockParams>>
export type P1 = Assert<Eq<ParamsOf<ReturnType<typeof patchEmbed<3, 8>>>, PatchEmbedParams>>
export type M1 = Assert<Eq<ParamsOf<ReturnType<typeof mlp<8, 32>>>, MlpParams>>
export type V1 = Assert<Eq<ParamsOf<ReturnType<typeof vit<3, 64>>['layer']>, VitParams>>
export type R1 = Assert<Eq<ParamsOf<ReturnType<typeof predictor<64>>['layer']>, PredictorParams>>

// Names given in options become keys of the composed tree.
export const head = serial(linear(192, 768, { name: 'fc1' }), gelu(), linear(768, 10, { name: 'fc2' }), layerNorm(10, { name: 'out_norm' }))
export type H1 = Assert<Eq<ParamsOf<typeof head>, { readonly fc1: LinearParams; readonly fc2: LinearParams; readonly out_norm: LayerNormParams }>>
export const net = serial(named('stem', linear(16, 8)), block(8, 2, { name: 'b0' }))
const { params } = initOrThrow(net, keyOf(0), [2, 4, 16])
export const qkv: tf.Tensor = params.b0.attn.qkv.weight
export const stem: tf.Tensor = params.stem.bias
export const ok = net.apply(params, x, ctx)
const v = vit({ imageSize: 32, patchSize: 4, inChans: 3, dim: 64, depth: 2, heads: 4 })
export const firstBlock = initOrThrow(v.layer, keyOf(0), [1, 32, 32, 3]).params.blocks['0']?.norm1.weight

// @ts-expect-error a linear's tree without its bias does not type-check
export const noBiasTree = linear(4, 8).apply({ weight: w }, x, ctx)
// @ts-expect-error a block tree missing its mlp does not type-check
export const noMlp = block(8, 2).apply({ norm1: { weight: w, bias: w }, attn: { qkv: { weight: w, bias: w }, proj: { weight: w, bias: w } }, norm2: { weight: w, bias: w } }, x, ctx)
// @ts-expect-error the named head's tree has no `head` key
export const scoped = initOrThrow(named('head', linear(8, 2)), keyOf(0), [1, 8]).params.head
// @ts-expect-error a misspelled path does not type-check
export const typo = params.b0.atn
