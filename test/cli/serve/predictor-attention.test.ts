/**
 * The replayed predictor of predictor-attention.ts is the predictor: on a tiny random I-JEPA (two
 * predictor blocks, so the replay runs a block before the last),
 * - the last block, `predictor_norm` and `predictor_proj` applied to the traced `hidden` give
 *   exactly what `predict` gives for that target block (embedding, position tables, mask token and
 *   the earlier blocks are replayed right);
 * - the last block's attention sublayer equals proj(merge_heads(probabilities · v)) with the traced
 *   probabilities (q and k are split and scaled as nn's attention does);
 * - probability rows sum to 1, and the context weights are the target rows' attention to each
 *   context column averaged over heads and rows, summing to the context share in (0, 1].
 * The qkv weights are sharpened (×40) so that the attention is far from uniform.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import { type AnyLayer, type Ctx, type ParamTree, flatten, keyOf, subtreeOrEmpty, unflatten } from '@jepa-ts/core'
import { attention, block, encode, layerNorm, linear, predict } from '@jepa-ts/nn'
import { grid, maskCollator, multiBlockDefaults, rowOf } from '@jepa-ts/masks'
import { decodeIjepaConfigOrThrow, ijepa, ijepaParts } from '@jepa-ts/ssl'
import { predictorAttention, predictorTrace } from '../../../packages/cli/src/serve/predictor-attention.ts'

const evaluation: Ctx = { key: keyOf(0), training: false }
const config = decodeIjepaConfigOrThrow({ image: [16, 16, 1], patchSize: 4, encoder: { dim: 8, depth: 1, heads: 2 }, predictor: { dim: 8, depth: 2 }, masks: { ...multiBlockDefaults, strategy: 'multi-block-corrected', minKeep: 2 } })

/** A random init has near-zero q·k (uniform attention hides mistakes in q, k and the scale): sharpen every qkv weight. */
const sharpened = (params: ParamTree): ParamTree => unflatten(flatten(params).map(([path, t]) => [path, path.endsWith('qkv.weight') ? tf.mul(t, 40) : t] as const))

const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!)

test('the traced predictor reproduces predict, and its attention probabilities reproduce the attention sublayer', async () => {
  await tf.setBackend('cpu')
  const parts = ijepaParts(config, 10)
  const state = { params: sharpened(ijepa(config, { totalSteps: 10 }).init(keyOf(3)).params) }
  const collate = maskCollator(config.masks, grid(4, 4))
  assert.ok(collate._tag === 'Right')
  const masks = collate.right(keyOf(5), 2)
  const contextIdx = Int32Array.from(rowOf(masks.contextIdx, 0))
  const targetIdx = Int32Array.from(rowOf(masks.targetIdx[1]!, 0))
  const [Kc, Kt] = [contextIdx.length, targetIdx.length]
  const image = tf.randomUniform([1, 16, 16, 1], 0, 1, 'float32', 7) as tf.Tensor4D
  const { hidden, probabilities } = predictorTrace(parts, state.params, image, contextIdx, targetIdx)
  const pred = subtreeOrEmpty(state.params, 'predictor')
  const last = subtreeOrEmpty(pred, 'predictor_blocks.1')
  const n = Kc + Kt
  tf.tidy(() => {
    const ci = tf.tensor2d(contextIdx, [1, Kc], 'int32')
    const z = encode(parts.encoder, subtreeOrEmpty(state.params, 'encoder'), image, evaluation, ci)
    const expected = predict(parts.predictor, pred, z, ci, [tf.tensor2d(targetIdx, [1, Kt], 'int32')], evaluation)
    const y = (block(8, 2, { eps: 1e-6 }) as unknown as AnyLayer).apply(last, hidden, evaluation) as tf.Tensor
    const normed = (layerNorm(8, { eps: 1e-6, name: 'predictor_norm' }) as unknown as AnyLayer).apply(subtreeOrEmpty(pred, 'predictor_norm'), y, evaluation) as tf.Tensor
    const out = (linear(8, 8, { name: 'predictor_proj' }) as AnyLayer).apply(subtreeOrEmpty(pred, 'predictor_proj'), tf.slice(normed, [0, Kc, 0], [1, Kt, 8]), evaluation) as tf.Tensor
    assert.deepEqual(out.shape, expected.shape)
    assert.ok(maxDiff(out, expected) < 1e-5, `the replay gives predict's output (max diff ${maxDiff(out, expected)})`)

    const n1 = (layerNorm(8, { eps: 1e-6, name: 'norm1' }) as unknown as AnyLayer).apply(subtreeOrEmpty(last, 'norm1'), hidden, evaluation) as tf.Tensor
    const attnOut = (attention(8, 2) as unknown as AnyLayer).apply(subtreeOrEmpty(last, 'attn'), n1, evaluation) as tf.Tensor
    const fused = (linear(8, 24, { name: 'qkv' }) as AnyLayer).apply(subtreeOrEmpty(last, 'attn.qkv'), n1, evaluation) as tf.Tensor
    const v = tf.transpose(tf.squeeze(tf.slice(tf.reshape(fused, [n, 3, 2, 4]), [0, 2, 0, 0], [n, 1, 2, 4]), [1]), [1, 0, 2]) // [heads, n, hd]
    const mixed = tf.reshape(tf.transpose(tf.matMul(probabilities, v), [1, 0, 2]), [1, n, 8])
    const mine = (linear(8, 8, { name: 'proj' }) as AnyLayer).apply(subtreeOrEmpty(last, 'attn.proj'), mixed, evaluation) as tf.Tensor
    assert.ok(maxDiff(mine, attnOut) < 1e-5, `probabilities · v reproduces the attention sublayer (max diff ${maxDiff(mine, attnOut)})`)
    assert.ok(maxDiff(tf.sum(probabilities, 2), tf.onesLike(tf.sum(probabilities, 2))) < 1e-5, 'rows are distributions')
    assert.ok(tf.max(probabilities).dataSync()[0]! > 2 / n, 'the sharpened attention is not uniform')
  })
  const toContext = tf.tidy(() => Array.from(tf.mean(tf.slice(probabilities, [0, Kc, 0], [2, Kt, Kc]), [0, 1]).dataSync()))
  const { weights, contextShare } = predictorAttention(parts, state.params, image, contextIdx, targetIdx)
  assert.equal(weights.length, Kc)
  assert.ok(weights.every((w, j) => Math.abs(w - toContext[j]!) < 1e-6), 'weights: the attention of the target rows to each context column, averaged over heads and rows')
  assert.ok(contextShare > 0 && contextShare <= 1 + 1e-6)
  assert.ok(Math.abs(weights.reduce((s, w) => s + w, 0) - contextShare) < 1e-9)
  tf.dispose([hidden, probabilities, image])
})

test('indices outside the grid are refused naming the field', () => {
  const parts = ijepaParts(config, 10)
  const state = ijepa(config, { totalSteps: 10 }).init(keyOf(3))
  const image = tf.zeros([1, 16, 16, 1]) as tf.Tensor4D
  assert.throws(() => predictorTrace(parts, state.params, image, Int32Array.from([0, 1, 16]), Int32Array.from([5])), /contextIdx holds 16, outside the 4×4 grid/)
  image.dispose()
})
