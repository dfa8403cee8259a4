/**
 * The nn constructors' trees at runtime: the paths `init` makes are the keys their params types
 * name (params.test-d.ts), and the cases the issue quoted — another layer's tree, a ViT at another
 * image size, a missing subtree — fail at apply naming the path, expected vs got, instead of tfjs's
 * "Size(16) must match…" or "'transpose' … got 'null'".
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import { LayerError, flatten, initOrThrow, keyOf } from '@jepa-ts/core'
import { block, encode, layerNorm, linear, vit } from '@jepa-ts/nn'

const ctx = { key: keyOf(1), training: false }
const layerError = (message: RegExp) => (e: unknown): boolean => e instanceof LayerError && message.test(e.message)

test('the trees init makes have the paths the params types name', () => {
  const b = initOrThrow(block(8, 2, { name: 'b0' }), keyOf(0), [1, 4, 8]).params
  assert.deepEqual(flatten(b).map(([p]) => p), [
    'norm1.weight', 'norm1.bias', 'attn.qkv.weight', 'attn.qkv.bias', 'attn.proj.weight', 'attn.proj.bias',
    'norm2.weight', 'norm2.bias', 'mlp.fc1.weight', 'mlp.fc1.bias', 'mlp.fc2.weight', 'mlp.fc2.bias',
  ])
  assert.deepEqual(flatten(initOrThrow(linear(4, 8, { bias: false }), keyOf(0), [1, 4]).params).map(([p]) => p), ['weight'])
  assert.deepEqual(flatten(initOrThrow(layerNorm(4, { affine: false }), keyOf(0), [1, 4]).params), [])
})

test('another layer\'s tree, a wrong input width and a missing subtree fail at apply naming the path', () => {
  const fc = linear(4, 8)
  const other = initOrThrow(linear(4, 16), keyOf(0), [2, 4]).params
  assert.throws(() => fc.apply(other, tf.ones([2, 4]), ctx), layerError(/^at linear\.weight: expected a parameter \[8, 4\], got \[16, 4\]/))
  const own = initOrThrow(fc, keyOf(0), [2, 4]).params
  assert.throws(() => fc.apply(own, tf.ones([2, 16]), ctx), layerError(/^at linear: expected a tensor with last dim 4 \(linear\), got \[2, 16\]$/))
  const b = block(8, 2)
  const bp = initOrThrow(b, keyOf(0), [1, 4, 8]).params
  const { attn: _dropped, ...noAttn } = bp
  assert.throws(() => b.apply(noAttn as typeof bp, tf.ones([1, 4, 8]), ctx), layerError(/^at block\.attn: expected a subtree with keys \{qkv, proj\}, got nothing/))
})

test('a ViT applied at an image size other than the one its grid was made for fails naming the layer', () => {
  const v = vit({ imageSize: 16, patchSize: 4, inChans: 1, dim: 8, depth: 1, heads: 2 })
  const { params } = initOrThrow(v.layer, keyOf(0), [1, 16, 16, 1])
  assert.throws(() => v.layer.apply(params, tf.ones([1, 20, 20, 1]), ctx), layerError(/^at pos_embed: expected \[B, 16, 8\] \(4×4 patch grid\), got \[1, 25, 8\]$/))
  assert.throws(() => encode(v, params, tf.ones([1, 16, 16, 3]), ctx), layerError(/^at patch_embed: expected NHWC images \[B, H, W, 1\]/))
})
