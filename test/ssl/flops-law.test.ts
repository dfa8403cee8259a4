/**
 * The FLOPs interpreter against execution for the three family steps (I-JEPA, MAE, VICReg): the
 * matmul FLOPs one step's loss and gradients perform (counted from the kernels, on cpu) equal the
 * interpreter's matmul FLOPs of its parts (`claimedMatmulFlops`) under the accounting of
 * bench/family-step.ts — ×1 for a branch without gradient (I-JEPA's target encoder), ×3 for a
 * trained one (forward, and two products per product backward) — with one correction the count
 * shows: the patch projection's input gradient is never computed (the images are not
 * differentiated), so a patch embedding costs ×2, not ×3. VICReg adds its energy's covariance
 * products (zᶜᵀ·zᶜ per view: 2·B·D² forward, both operands differentiated). The optimizer, EMA,
 * gradient norm and augmentations perform no products counted here (VICReg's views are drawn
 * before counting: the Gaussian blur is a product).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import { type AnyLayer, type DimsSig, countMatmulFlops, decodeOrThrow, disposeTree, keyOf, stream } from '@jepa-ts/core'
import { disposeState, lossAndGrads } from '@jepa-ts/train'
import {
  VicregConfigCodec, decodeIjepaConfigOrThrow, decodeMaeConfigOrThrow, energyOf, ijepa, ijepaLossAndGradsAt, ijepaParts, jointParts, mae, maeLossAndGrads, maeParts,
  onlineLoss, twoViews, vicreg, vicregFamily,
} from '@jepa-ts/ssl'
import { claimedMatmulFlops } from '../nn/matmul-claims.ts'
import { fixedImages, tinyIjepaInput } from './ijepa-tiny.ts'
import { tinyMaeInput } from './mae-tiny.ts'
import { blockImages, tinyBase } from './joint-harness.ts'

const M = (layer: unknown, dims: DimsSig, heads: number): number => claimedMatmulFlops(layer as AnyLayer, dims, heads)

test('FLOPs law, I-JEPA step: target ×1 + 3×(context encoder + predictor) − patch projection', async () => {
  await tf.setBackend('cpu')
  const config = decodeIjepaConfigOrThrow(tinyIjepaInput)
  const parts = ijepaParts(config, 10)
  const state = ijepa(config, { totalSteps: 10 }).init(keyOf(1))
  const B = 4
  const images = fixedImages(B)
  const masks = parts.collate(keyOf(5), B)
  const contextIdx = tf.tensor2d(masks.contextIdx.data, [B, masks.contextIdx.shape[1]], 'int32')
  const targetIdx = masks.targetIdx.map((t) => tf.tensor2d(t.data, [B, t.shape[1]], 'int32'))
  const counted = await countMatmulFlops(() => {
    const r = ijepaLossAndGradsAt(parts, energyOf(config.energy))(state.params, state.target, images, contextIdx, targetIdx, keyOf(2))
    disposeTree(r.grads)
    return []
  })
  const [H, W, C] = config.image
  const { dim: D, heads } = config.encoder
  const [Kc, T, Kt] = [masks.contextIdx.shape[1], masks.targetIdx.length, masks.targetIdx[0]!.shape[1]]
  const img: DimsSig = [B, H, W, C]
  const embed = M(parts.encoder.embed, img, heads)
  const expected =
    M(parts.encoder.layer, img, heads) + 3 * (embed + M(parts.encoder.trunk, [B, Kc, D], heads) + M(parts.predictor.layer, [[B, Kc, D], [B, Kc], [T, B, Kt]], heads)) - embed
  assert.equal(counted.flops, expected, JSON.stringify([...counted.byKernel]))
  tf.dispose([images, contextIdx, ...targetIdx])
  disposeState(state)
})

test('FLOPs law, MAE step: 3×(encoder on the visible tokens + decoder) − patch projection (encoder and decoder heads differ)', async () => {
  await tf.setBackend('cpu')
  const config = decodeMaeConfigOrThrow({ ...tinyMaeInput, decoder: { dim: 16, depth: 2, heads: 4 } })
  const parts = maeParts(config, 10)
  const state = mae(config, { totalSteps: 10 }).init(keyOf(1))
  const B = 4
  const images = fixedImages(B)
  let visible = -1
  const counted = await countMatmulFlops(() => {
    const r = maeLossAndGrads(parts, config)(state, images, keyOf(3))
    visible = r.visibleTokens
    disposeTree(r.grads)
    return []
  })
  const [H, W, C] = config.image
  const L = parts.decoder.tokens
  const img: DimsSig = [B, H, W, C]
  const eh = config.encoder.heads
  const dh = config.decoder.heads
  const embed = M(parts.encoder.embed, img, eh)
  const expected =
    3 * (embed + M(parts.encoder.trunk, [B, visible, config.encoder.dim], eh) + M(parts.decoder.embed, [B, visible, config.encoder.dim], dh) + M(parts.decoder.trunk, [B, L, parts.decoder.dim], dh)) - embed
  assert.ok(visible > 0 && visible < L)
  assert.equal(counted.flops, expected, JSON.stringify([...counted.byKernel]))
  images.dispose()
  disposeState(state)
})

test('FLOPs law, VICReg step: 2 views × [3×(ViT + projector) − patch projection + 3 × covariance products]', async () => {
  await tf.setBackend('cpu')
  const config = decodeOrThrow(VicregConfigCodec, tinyBase)
  const parts = jointParts(config, 10)
  const state = vicregFamily(config, { totalSteps: 10 }).init(keyOf(1))
  const B = 8
  const images = blockImages(1, B)
  const views = twoViews(parts.views)(stream(keyOf(4), 'augment'), images)
  const objective = { kind: 'pair', energy: (z1: tf.Tensor2D, z2: tf.Tensor2D) => ({ loss: vicreg(z1, z2).loss }) } as const
  const counted = await countMatmulFlops(() => {
    const r = lossAndGrads(state.params, (p) => onlineLoss(parts, objective)(p, views, undefined, { key: keyOf(6), training: true }))
    disposeTree(r.grads)
    return []
  })
  const [H, W, C] = config.image
  const heads = config.encoder.heads
  const img: DimsSig = [B, H, W, C]
  const Dz = config.projector.out
  const embed = M(parts.encoder.embed, img, heads)
  const perView = 3 * (M(parts.encoder.layer, img, heads) + M(parts.projector, [B, config.encoder.dim], 0)) - embed + 3 * (2 * B * Dz * Dz)
  assert.equal(counted.flops, 2 * perView, JSON.stringify([...counted.byKernel]))
  tf.dispose([images, ...views])
  disposeState(state)
})
