/**
 * Token indices are a set of positions per row: an int 0/1 mask [B, N] passed where indices [B, K]
 * are expected is in range (0 and 1 are valid tokens) and int32, so only the distinctness check
 * catches it — every gather of token indices (gatherTokens, encode, the predictor) refuses it,
 * naming the label, the position of the first repeat, and the 0/1-mask hint.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import { initOrThrow, keyOf } from '@jepa-ts/core'
import { checkTokenIndices, encode, gatherTokens, predict, predictor, vit } from '@jepa-ts/nn'

const ctx = { key: keyOf(1), training: false }
const maskRow = [0, 1, 1, 0, 1, 0, 0, 1] // 1 = masked, as a mask tensor holds it
const mask = (): tf.Tensor => tf.tensor2d([maskRow, maskRow.map((m) => 1 - m)], [2, 8], 'int32')

test('an int 0/1 mask is refused where token indices are expected, with the hint; a bool mask by its dtype', () => {
  const x = tf.randomNormal([2, 8, 4])
  assert.throws(() => gatherTokens(x, mask()), /^RangeError: gatherTokens: index 1 at \[0, 2\] repeats a token of its row \(token indices must be distinct\); the values are all 0 or 1: a 0\/1 mask \[2, 8\] passed where token indices are expected\?/)
  assert.throws(() => gatherTokens(x, tf.cast(mask(), 'bool')), /expected int32 indices, got bool/)
  // A repeat that is not a 0/1 mask is refused without the hint.
  assert.throws(() => gatherTokens(x, tf.tensor2d([[0, 5, 5], [1, 2, 3]], [2, 3], 'int32')), (e: unknown) => e instanceof RangeError && /index 5 at \[0, 2\] repeats/.test(e.message) && !/0\/1 mask/.test(e.message))
  // Valid indices: a permutation (K = N) and a subset pass; the same token in two rows is fine.
  const perm = tf.tensor2d([[7, 6, 5, 4, 3, 2, 1, 0], [0, 1, 2, 3, 4, 5, 6, 7]], [2, 8], 'int32')
  assert.deepEqual(gatherTokens(x, perm).shape, [2, 8, 4])
  assert.deepEqual(Array.from(checkTokenIndices(tf.tensor3d([[[0, 1]], [[0, 1]]], [2, 1, 2], 'int32'), 8, 'blocks')), [0, 1, 0, 1])
})

test('encode and the predictor refuse a 0/1 mask as indices (not silently gathered)', () => {
  const v = vit({ imageSize: 16, patchSize: 4, inChans: 1, dim: 8, depth: 1, heads: 2 })
  const { params } = initOrThrow(v.layer, keyOf(0), [2, 16, 16, 1])
  const images = tf.randomNormal([2, 16, 16, 1])
  const tokenMask = tf.tensor2d([Array.from({ length: 16 }, (_, i) => i % 2), Array.from({ length: 16 }, (_, i) => (i + 1) % 2)], [2, 16], 'int32')
  assert.throws(() => encode(v, params, images, ctx, tokenMask), /encode: tokenIdx: index 0 at \[0, 2\] repeats a token of its row .* 0\/1 mask \[2, 16\]/)
  const p = predictor({ grid: [4, 4], embedDim: 8, predictorDim: 8, depth: 1, heads: 2 })
  const pp = initOrThrow(p.layer, keyOf(0), [[2, 16, 8], [2, 16], [1, 2, 2]]).params
  const targets = [tf.tensor2d([[3, 4], [5, 6]], [2, 2], 'int32')]
  assert.throws(() => predict(p, pp, tf.randomNormal([2, 16, 8]), tokenMask, targets, ctx), /predictor: ctxIdx: index 0 at \[0, 2\] repeats .* 0\/1 mask/)
})
