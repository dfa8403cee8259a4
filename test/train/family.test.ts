import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { flatten } from '@jepa-ts/core'
import { lossAndGrads, gradNorm, stateToTree, stateFromTree, adamwInit } from '@jepa-ts/train'

await tf.setBackend('cpu')

test('lossAndGrads: gradients of Σ(w·x − t)² match the closed form; the target branch gets none', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 6 }), (ints) => {
      const xs = ints.map((i) => i / 4)
      const w = tf.tensor1d(xs.map((x) => x + 1))
      const x = tf.tensor1d(xs)
      const t = tf.tensor1d(xs.map((v) => 2 * v)) // "target encoder output", outside params
      const r = lossAndGrads({ enc: { w } }, (p) => ({ loss: tf.sum(tf.square(tf.sub(tf.mul((p.enc as { w: tf.Tensor }).w, x), t))) as tf.Scalar }))
      const expected = xs.map((xi) => 2 * ((xi + 1) * xi - 2 * xi) * xi)
      const got = Array.from((flatten(r.grads)[0]![1]).dataSync())
      assert.deepEqual(flatten(r.grads).map(([p]) => p), ['enc.w'], 'only params are differentiated')
      got.forEach((g, i) => assert.ok(Math.abs(g - expected[i]!) < 1e-4 * (1 + Math.abs(expected[i]!)), `grad ${i}: ${g} vs ${expected[i]}`))
      assert.ok(Math.abs(gradNorm(r.grads) - Math.hypot(...expected)) < 1e-3 * (1 + Math.hypot(...expected)), 'gradNorm is the global L2 norm')
      tf.dispose([w, x, t, ...flatten(r.grads).map(([, g]) => g)])
    }),
    { numRuns: 30 },
  )
})

test('lossAndGrads reports auxiliary scalars and leaks nothing', () => {
  const w = tf.tensor1d([1, 2])
  const before = tf.memory().numTensors
  const r = lossAndGrads({ w }, (p) => ({ loss: tf.sum(p.w as tf.Tensor) as tf.Scalar, aux: { mean: tf.mean(p.w as tf.Tensor) as tf.Scalar } }))
  assert.equal(r.aux.mean, 1.5)
  assert.equal(r.loss, 3)
  tf.dispose(flatten(r.grads).map(([, g]) => g))
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind')
  w.dispose()
})

test('stateToTree / stateFromTree round-trip every tensor path', () => {
  const params = { encoder: { w: tf.ones([2, 2]) } }
  const s = { step: 7, params, target: { encoder: { w: tf.zeros([2, 2]) } }, opt: { ...adamwInit(params), step: 7 } }
  const tree = stateToTree(s)
  assert.deepEqual(flatten(tree).map(([p]) => p), ['params.encoder.w', 'target.encoder.w', 'opt.m.encoder.w', 'opt.v.encoder.w'])
  const back = stateFromTree(tree, 7)
  assert.deepEqual(flatten(stateToTree(back)).map(([p]) => p), flatten(tree).map(([p]) => p))
  assert.equal(back.opt.step, 7)
})
