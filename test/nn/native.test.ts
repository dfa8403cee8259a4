/**
 * On the native backend nn's layerNorm, GELU and attention run fused kernels; elsewhere stock ops.
 * The two paths must agree: a small ViT's output and the gradients of every param, native vs cpu.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import { keyOf, initOrThrow, flatten, unflatten, normal } from '@jepa-ts/core'
import { useBackend } from '@jepa-ts/engine'
import { vit, encode } from '@jepa-ts/nn'

const v = vit({ imageSize: 16, patchSize: 4, inChans: 1, dim: 32, depth: 2, heads: 4 })
const images = normal(keyOf(7), 2 * 16 * 16)
const idx = Int32Array.from([0, 3, 5, 9, 12, 1, 2, 7, 8, 15])

/** Output and gradients of sum(out · R) as host arrays, on the active backend. */
const run = () => {
  const { params } = initOrThrow(v.layer, keyOf(1), [2, 16, 16, 1])
  const leaves = flatten(params)
  const x = tf.tensor4d(images, [2, 16, 16, 1])
  const tokens = tf.tensor2d(idx, [2, 5], 'int32')
  const ctx = { key: keyOf(2), training: false }
  const r = tf.tensor(normal(keyOf(3), 2 * 5 * 32), [2, 5, 32])
  const { value, grads } = tf.valueAndGrads((...ws: tf.Tensor[]) =>
    tf.sum(tf.mul(encode(v, unflatten(leaves.map(([p], i) => [p, ws[i]!] as const)), x, ctx, tokens), r)) as tf.Scalar,
  )(leaves.map(([, t]) => t))
  const out = { loss: value.dataSync()[0]!, grads: grads.map((g) => Array.from(g.dataSync())), paths: leaves.map(([p]) => p) }
  tf.dispose([value, ...grads, x, tokens, r, ...leaves.map(([, t]) => t)])
  return out
}

test('ViT with fused native layerNorm / GELU / attention matches the cpu backend (value and every gradient)', async () => {
  await useBackend('cpu')
  const ref = run()
  await useBackend('native')
  const got = run()
  await useBackend('cpu')
  assert.ok(Math.abs(ref.loss - got.loss) <= 1e-4 * (1 + Math.abs(ref.loss)), `loss cpu ${ref.loss} vs native ${got.loss}`)
  ref.grads.forEach((g, i) => {
    const scale = Math.max(1e-3, ...g.map(Math.abs))
    const worst = Math.max(...g.map((x, j) => Math.abs(x - got.grads[i]![j]!)))
    assert.ok(worst <= 1e-3 * scale, `${ref.paths[i]}: max |Δgrad| ${worst} vs scale ${scale}`)
  })
})
