/**
 * The FLOPs interpreter against execution: for every nn layer, the matmul/conv FLOPs its `apply`
 * performs (counted from the kernels that ran, `countMatmulFlops`) equal `infer`'s FLOPs less the
 * elementwise FLOPs the interpreter adds on top of the products. Those are, per report node (its
 * own FLOPs = its FLOPs − its children's): a linear's bias (one add per output) and a patch
 * embedding's bias; attention's scale + softmax (2·B·heads·N² — its products are 2·2·B·N²·dim);
 * everything of every other kind (layer norm, gelu, dropout, position embeddings, residual adds,
 * the predictor's own additions). A wrong product count anywhere in the interpreter — a missing
 * factor 2, attention's N² products, a linear applied to the wrong number of rows — breaks the
 * equality. Runs on cpu and on native (whose attention is one fused kernel).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import { type AnyLayer, type DimsSig, countMatmulFlops, disposeTree, initOrThrow, keyOf } from '@jepa-ts/core'
import { attention, block, dropPath, dropout, gelu, layerNorm, linear, mlp, patchEmbed, pixelNorm, predict, predictor, vit } from '@jepa-ts/nn'
import { setup } from '../backend-native/harness.ts'
import { claimedMatmulFlops } from './matmul-claims.ts'

interface Case {
  readonly name: string
  readonly layer: AnyLayer
  readonly inDims: DimsSig
  readonly heads: number
  readonly input: () => tf.Tensor
}

const tokens = (d: readonly number[]) => () => tf.randomNormal([...d], 0, 1, 'float32', 7)
const cases: readonly Case[] = [
  { name: 'linear (bias)', layer: linear(6, 10) as unknown as AnyLayer, inDims: [3, 6], heads: 0, input: tokens([3, 6]) },
  { name: 'linear (no bias, 3-D)', layer: linear(6, 4, { bias: false }) as unknown as AnyLayer, inDims: [2, 5, 6], heads: 0, input: tokens([2, 5, 6]) },
  { name: 'layerNorm', layer: layerNorm(8) as unknown as AnyLayer, inDims: [2, 3, 8], heads: 0, input: tokens([2, 3, 8]) },
  { name: 'gelu', layer: gelu() as unknown as AnyLayer, inDims: [2, 8], heads: 0, input: tokens([2, 8]) },
  { name: 'dropout', layer: dropout({ dropProb: 0.5 }) as unknown as AnyLayer, inDims: [2, 8], heads: 0, input: tokens([2, 8]) },
  { name: 'dropPath', layer: dropPath({ dropProb: 0.5 }) as unknown as AnyLayer, inDims: [2, 3, 8], heads: 0, input: tokens([2, 3, 8]) },
  { name: 'pixelNorm', layer: pixelNorm({ mean: 0.5, std: 0.25 }) as unknown as AnyLayer, inDims: [2, 8, 8, 1], heads: 0, input: tokens([2, 8, 8, 1]) },
  { name: 'mlp', layer: mlp(8, 24) as unknown as AnyLayer, inDims: [2, 5, 8], heads: 0, input: tokens([2, 5, 8]) },
  { name: 'attention', layer: attention(12, 3) as unknown as AnyLayer, inDims: [2, 7, 12], heads: 3, input: tokens([2, 7, 12]) },
  { name: 'block', layer: block(12, 2) as unknown as AnyLayer, inDims: [2, 6, 12], heads: 2, input: tokens([2, 6, 12]) },
  { name: 'patchEmbed', layer: patchEmbed(4, 2, 16) as unknown as AnyLayer, inDims: [2, 12, 8, 2], heads: 0, input: tokens([2, 12, 8, 2]) },
  {
    name: 'vit (pixel norm, 2 blocks)',
    layer: vit({ imageSize: [16, 12], patchSize: 4, inChans: 1, dim: 16, depth: 2, heads: 4, pixelNorm: { mean: 0.5, std: 0.25 } }).layer as unknown as AnyLayer,
    inDims: [2, 16, 12, 1],
    heads: 4,
    input: tokens([2, 16, 12, 1]),
  },
]

for (const backend of ['cpu', 'native'] as const) {
  test(`FLOPs law on ${backend}: each nn layer's executed matmul FLOPs equal infer's, less its elementwise FLOPs`, async () => {
    await setup()
    await tf.setBackend(backend)
    for (const c of cases) {
      const { params } = initOrThrow(c.layer, keyOf(1), c.inDims)
      const x = c.input()
      const counted = await countMatmulFlops(() => c.layer.apply(params, x, { key: keyOf(2), training: false }) as tf.Tensor)
      tf.dispose([x, counted.result])
      disposeTree(params)
      const claimed = claimedMatmulFlops(c.layer, c.inDims, c.heads)
      assert.equal(counted.flops, claimed, `${c.name}: executed ${counted.flops} (${JSON.stringify([...counted.byKernel])}) vs infer ${claimed}`)
    }
  })

  test(`FLOPs law on ${backend}: the I-JEPA predictor (embed, blocks, norm, proj over context and mask tokens)`, async () => {
    await setup()
    await tf.setBackend(backend)
    const heads = 2
    const p = predictor({ grid: [4, 4], embedDim: 12, predictorDim: 8, depth: 2, heads })
    const [B, Kc, T, Kt] = [2, 5, 3, 2]
    const inDims: DimsSig = [[B, Kc, 12], [B, Kc], [T, B, Kt]]
    const { params } = initOrThrow(p.layer as unknown as AnyLayer, keyOf(3), inDims)
    const ctxIdx = tf.tensor2d([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]], [B, Kc], 'int32')
    const targets = Array.from({ length: T }, (_, t) => tf.tensor2d([[10 + t, 13], [11, 14 - t]], [B, Kt], 'int32'))
    const x = tf.randomNormal([B, Kc, 12], 0, 1, 'float32', 5)
    const counted = await countMatmulFlops(() => predict(p, params, x, ctxIdx, targets, { key: keyOf(4), training: false }))
    tf.dispose([x, ctxIdx, ...targets, counted.result])
    disposeTree(params)
    assert.equal(counted.flops, claimedMatmulFlops(p.layer as unknown as AnyLayer, inDims, heads))
  })
}

test('countMatmulFlops counts 2·m·n·k per product, convolutions by their filter, and nothing else', async () => {
  await tf.setBackend('cpu')
  const mm = await countMatmulFlops(() => tf.add(tf.matMul(tf.ones([2, 3, 5]), tf.ones([2, 4, 5]), false, true), 1))
  assert.equal(mm.flops, 2 * 2 * 3 * 4 * 5)
  const conv = await countMatmulFlops(() => tf.conv2d(tf.ones([1, 6, 6, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 4]) as tf.Tensor4D, 1, 'valid'))
  assert.equal(conv.flops, 2 * (4 * 4 * 4) * (3 * 3 * 2))
  const grad = await countMatmulFlops(() => tf.grad((a: tf.Tensor) => tf.sum(tf.matMul(a, tf.ones([3, 4]))))(tf.ones([2, 3])))
  assert.equal(grad.flops, 2 * (2 * 4 * 3) * 2, 'forward product + the product giving da')
  tf.dispose([mm.result, conv.result, grad.result])
})
