import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { flatten } from '@jepa-ts/core'
import { lossAndGrads, lossAndGradsDeferred, gradNorm, gradNormDeferred, readMetrics, readMetricsSync, stateToTree, stateFromTree, adamwInit, linearAutoencoder, hostStep } from '@jepa-ts/train'
import { keyOf } from '@jepa-ts/core'

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

test('deferred metrics: readMetrics reads each tensor into its own name with ONE awaited read, passes numbers, disposes the tensors', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.float({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 9 }), fc.integer({ min: 0, max: 3 }), async (values, numbers) => {
      const before = tf.memory().numTensors
      const entries = values.map((v, i) => [`m${i}`, i < numbers ? v : tf.scalar(v)] as const)
      const metrics = { loss: tf.scalar(values[0]!), ...Object.fromEntries(entries) }
      const reads: string[] = []
      const original = tf.Tensor.prototype.data
      tf.Tensor.prototype.data = function (this: tf.Tensor) {
        reads.push(this.shape.join('x'))
        return original.call(this) as never
      }
      let got: Record<string, number>
      try {
        got = await readMetrics(metrics)
      } finally {
        tf.Tensor.prototype.data = original
      }
      assert.equal(reads.length, 1, `one read, got ${reads.length}`)
      assert.equal(got['loss'], Math.fround(values[0]!))
      values.forEach((v, i) => assert.equal(got[`m${i}`], i < numbers ? v : Math.fround(v), `m${i}`))
      assert.equal(tf.memory().numTensors, before, 'the metric tensors are disposed')
      const sync = readMetricsSync({ loss: tf.scalar(2), lr: 0.5 })
      assert.deepEqual(sync, { loss: 2, lr: 0.5 })
      assert.equal(tf.memory().numTensors, before)
    }),
    { numRuns: 20 },
  )
})

test('the deferred forms agree with the host ones: lossAndGradsDeferred, gradNormDeferred, hostStep(stepDeferred) = step', async () => {
  const w = tf.tensor1d([1, -2, 3])
  const v = tf.tensor2d([[0.5, 4]])
  const loss = (p: Record<string, unknown>) => ({ loss: tf.sum(tf.square(p['w'] as tf.Tensor)).add(tf.sum(p['v'] as tf.Tensor)) as tf.Scalar, aux: { s: tf.sum(p['w'] as tf.Tensor) as tf.Scalar } })
  const host = lossAndGrads({ w, v }, loss)
  const dev = lossAndGradsDeferred({ w, v }, loss)
  assert.equal((await dev.loss.data())[0], host.loss)
  assert.equal((await dev.aux['s']!.data())[0], host.aux['s'])
  assert.ok(Math.abs((await gradNormDeferred(dev.grads).data())[0]! - gradNorm(host.grads)) < 1e-5 * gradNorm(host.grads))
  assert.ok(Math.abs((await gradNormDeferred(dev.grads).data())[0]! - Math.hypot(2, -4, 6, 1, 1)) < 1e-5, 'the global L2 norm over every leaf')
  const family = linearAutoencoder({ imageDims: [4, 4, 1], width: 2, lr: 1e-2, weightDecay: 0, warmupSteps: 0, totalSteps: 4 })
  const images = tf.randomUniform([2, 4, 4, 1], 0, 1, 'float32', 1) as tf.Tensor4D
  const a = family.step(family.init(keyOf(1)), images, keyOf(2))
  const b = hostStep(family.stepDeferred!)(family.init(keyOf(1)), images, keyOf(2))
  assert.deepEqual(a.metrics, b.metrics)
  const c = family.stepDeferred!(family.init(keyOf(1)), images, keyOf(2))
  assert.deepEqual(await readMetrics(c.metrics), a.metrics, 'the loop reads the same numbers as step')
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
