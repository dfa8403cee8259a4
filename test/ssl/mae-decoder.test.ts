/**
 * The MAE decoder is a layer: its init makes the reference's paths (mask_token included), summary
 * and FLOPs come from its infer and count mask_token, its output equals the composition it replaced
 * (embed → append mask tokens + unshuffle → trunk; exactly), it checks its inputs at apply naming
 * the path, and it refuses a 0/1 mask as idsRestore. The PyTorch parity of the CLS layout is
 * test/cli/import-mae.test.ts.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import { type ParamTree, LayerError, countParams, flatten, initOrThrow, keyOf, summarize } from '@jepa-ts/core'
import { randomMasking } from '@jepa-ts/masks'
import { appendAndUnshuffle, decodeMaeConfigOrThrow, indexTensor, mae, maeDecode, maeDecoder, maeEncode, maeParts } from '@jepa-ts/ssl'
import * as E from 'fp-ts/lib/Either.js'
import { tinyMaeInput } from './mae-tiny.ts'

const ctx = { key: keyOf(1), training: false }
const sub = (t: ParamTree, k: string): ParamTree => t[k] as ParamTree

test('init makes the reference paths; summary and param counts include mask_token', () => {
  const d = maeDecoder([4, 4], 16, { dim: 8, depth: 2, heads: 2 }, 16)
  const { params } = initOrThrow(d.layer, keyOf(0), [[2, 4, 16], [2, 16]])
  const paths = flatten(params).map(([p]) => p)
  assert.deepEqual(paths.slice(0, 3), ['decoder_embed.weight', 'decoder_embed.bias', 'mask_token'])
  assert.deepEqual(paths.slice(-4), ['decoder_norm.weight', 'decoder_norm.bias', 'decoder_pred.weight', 'decoder_pred.bias'])
  assert.ok(paths.includes('decoder_blocks.1.mlp.fc2.bias'))
  assert.deepEqual(params.mask_token.shape, [1, 1, 8])
  const s = summarize(d.layer, [[2, 4, 16], [2, 16]])
  if (E.isLeft(s)) throw new Error(s.left.message)
  assert.equal(s.right.totalParams, countParams(params), 'summary counts every created param')
  const top = s.right.rows.filter((r) => r.depth === 0)
  assert.equal(top.reduce((n, r) => n + r.params, 0) + 8, s.right.totalParams, 'the rows plus the 8 mask_token values make the total')
  assert.deepEqual(top.map((r) => r.path), ['decoder.decoder_embed', 'decoder.decoder_pos_embed', 'decoder.decoder_blocks', 'decoder.decoder_norm', 'decoder.decoder_pred'])
  assert.deepEqual(s.right.outDims, [2, 16, 16])
  // The family's state holds the same tree under `decoder`.
  const state = mae(decodeMaeConfigOrThrow(tinyMaeInput), { totalSteps: 10 }).init(keyOf(2))
  const parts = maeParts(decodeMaeConfigOrThrow(tinyMaeInput), 10)
  assert.deepEqual(flatten(sub(state.params, 'decoder')).map(([p]) => p), flatten(initOrThrow(parts.decoder.layer, keyOf(0), [[1, 1, 16], [1, 16]]).params).map(([p]) => p))
})

test('the layer computes exactly the composition it replaced (embed, unshuffle with mask tokens, trunk), with and without the CLS row', () => {
  for (const clsToken of [false, true]) {
    const d = maeDecoder([4, 4], 16, { dim: 8, depth: 1, heads: 2 }, 16, { clsToken })
    const K = 4 + (clsToken ? 1 : 0)
    const { params } = initOrThrow(d.layer, keyOf(3), [[2, K, 16], [2, 16]])
    const m = randomMasking(keyOf(4), 2, 16, 0.75)
    const idsRestore = indexTensor(m.idsRestore)
    const latent = tf.randomNormal([2, K, 16], 0, 1, 'float32', 5)
    const got = d.layer.apply(params, [latent, idsRestore], ctx) as tf.Tensor
    const want = tf.tidy(() => {
      const e = d.embed.apply(params.decoder_embed, latent, ctx) as tf.Tensor
      if (!clsToken) return d.trunk.apply(params, appendAndUnshuffle(e, params.mask_token, idsRestore), ctx) as tf.Tensor
      const positioned = d.pos.apply(params, appendAndUnshuffle(tf.slice(e, [0, 1, 0], [2, 4, 8]), params.mask_token, idsRestore), ctx) as tf.Tensor
      return tf.slice(d.body.apply(params, tf.concat([tf.slice(e, [0, 0, 0], [2, 1, 8]), positioned], 1), ctx) as tf.Tensor, [0, 1, 0], [2, 16, 16])
    })
    assert.deepEqual(got.shape, [2, 16, 16])
    assert.equal(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0], 0, `clsToken ${clsToken}`)
    assert.equal(maeDecode(d)(params, latent, idsRestore, ctx).sub(got).abs().max().dataSync()[0], 0)
  }
})

test('bad inputs fail at apply naming the decoder; a 0/1 mask as idsRestore is refused', () => {
  const d = maeDecoder([4, 4], 16, { dim: 8, depth: 1, heads: 2 }, 16)
  const { params } = initOrThrow(d.layer, keyOf(0), [[2, 4, 16], [2, 16]])
  const latent = tf.randomNormal([2, 4, 16])
  const isLayerError = (re: RegExp) => (e: unknown): boolean => e instanceof LayerError && re.test(e.message)
  assert.throws(() => d.layer.apply(params, [latent, tf.zeros([2, 15], 'int32')], ctx), isLayerError(/^at decoder: expected \(\[B, K, 16\], \[B, 16\]\) with 1 ≤ K ≤ 16 \(maeDecoder: latent, idsRestore\), got \(\[2, 4, 16\], \[2, 15\]\)$/))
  assert.throws(() => maeDecode(d)({ ...params, mask_token: tf.zeros([1, 1, 16]) }, latent, tf.zeros([2, 16], 'int32'), ctx), isLayerError(/^at decoder\.mask_token: expected a parameter \[1, 1, 8\], got \[1, 1, 16\]/))
  const mask01 = tf.tensor2d([Array.from({ length: 16 }, (_, i) => (i < 12 ? 1 : 0)), Array.from({ length: 16 }, (_, i) => (i < 12 ? 1 : 0))], [2, 16], 'int32')
  assert.throws(() => d.layer.apply(params, [latent, mask01], ctx), /appendAndUnshuffle: idsRestore: index 1 at \[0, 1\] repeats .* 0\/1 mask \[2, 16\]/)
  // The encoder side: a mask where idsKeep belongs.
  const parts = maeParts(decodeMaeConfigOrThrow(tinyMaeInput), 10)
  const state = mae(decodeMaeConfigOrThrow(tinyMaeInput), { totalSteps: 10 }).init(keyOf(2))
  assert.throws(() => maeEncode(parts.encoder, false)(sub(state.params, 'encoder'), tf.zeros([2, 16, 16, 1]), ctx, mask01), /maeEncode: idsKeep|encode: tokenIdx: index 1 at \[0, 1\] repeats/)
})
