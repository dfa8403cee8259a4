import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { keyOf, normal } from '@jepa-ts/core'
import {
  EvalInputError, adamSlot, adamwUpdate, disposeSlot, featureStatistics, linearProbe, permutation, softmaxCrossEntropy,
  softmaxRegressionStep, standardize, type ProbeSettings,
} from '@jepa-ts/eval'
import { gaussianBlobs, randomLabels } from './helpers.ts'

const settings = (seed: number, over: Partial<ProbeSettings> = {}): ProbeSettings => ({
  numClasses: 4, epochs: 10, batchSize: 64, lr: 0.01, weightDecay: 1e-4, key: keyOf(seed), ...over,
})

test('probe reaches > 95% top-1 on linearly separable Gaussian blobs (several seeds)', async () => {
  await tf.setBackend('cpu')
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), async (seed) => {
      const { train, test: held } = gaussianBlobs(keyOf(seed), 600, 16, 4, 3)
      const r = await linearProbe(train, held, settings(seed))
      assert.ok(r.top1 > 0.95, `test top-1 ${r.top1} (seed ${seed})`)
      assert.ok(r.trainTop1 > 0.95, `train top-1 ${r.trainTop1} (seed ${seed})`)
      assert.equal(r.curve.length, 10)
      assert.ok(r.curve[9]!.loss < r.curve[0]!.loss, `loss did not fall: ${r.curve.map((c) => c.loss.toFixed(3)).join(' ')}`)
    }),
    { numRuns: 4 },
  )
})

test('probe stays at chance on random labels (test top-1 within 0.05 of 1/C)', async () => {
  await tf.setBackend('cpu')
  const { train, test: held } = gaussianBlobs(keyOf(7), 2000, 8, 4, 3)
  const trainRandom = { features: train.features, labels: randomLabels(keyOf(8), 2000, 4) }
  const testRandom = { features: held.features, labels: randomLabels(keyOf(9), 2000, 4) }
  const r = await linearProbe(trainRandom, testRandom, settings(7))
  // 2000 test rows: the std of an accuracy at chance is √(0.25·0.75/2000) ≈ 0.0097, so 0.05 is ~5σ.
  assert.ok(Math.abs(r.top1 - 0.25) < 0.05, `random-label test top-1 ${r.top1}`)
})

test('probe is deterministic in its key, and a different key gives a different curve', async () => {
  await tf.setBackend('cpu')
  const { train, test: held } = gaussianBlobs(keyOf(3), 300, 8, 3, 1)
  const a = await linearProbe(train, held, settings(11, { numClasses: 3, epochs: 3 }))
  const b = await linearProbe(train, held, settings(11, { numClasses: 3, epochs: 3 }))
  const c = await linearProbe(train, held, settings(12, { numClasses: 3, epochs: 3 }))
  assert.deepEqual(a, b)
  assert.notDeepEqual(a.curve, c.curve)
})

test('live tensor count is flat across probe epochs and back to its start after the call', async () => {
  await tf.setBackend('cpu')
  const { train, test: held } = gaussianBlobs(keyOf(5), 200, 8, 4, 3)
  const trainT = { features: tf.tensor2d((train.features as { values: Float32Array }).values, [200, 8]), labels: train.labels }
  const before = tf.memory().numTensors
  const counts: number[] = []
  await linearProbe(trainT, held, settings(5, { epochs: 5, batchSize: 32, onEpoch: () => counts.push(tf.memory().numTensors) }))
  assert.equal(counts.length, 5)
  assert.ok(counts.every((c) => c === counts[0]), `tensor counts per epoch: ${counts.join(', ')}`)
  assert.equal(tf.memory().numTensors, before)
  assert.ok(!trainT.features.isDisposed, 'the caller’s tensor was disposed')
  trainT.features.dispose()
})

test('law: the hand-written softmax-regression gradients equal tfjs autodiff', async () => {
  await tf.setBackend('cpu')
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 2, max: 6 }), fc.nat(), (batch, dim, classes, seed) => {
      tf.tidy(() => {
        const w = tf.tensor2d(normal(keyOf(seed), dim * classes), [dim, classes])
        const b = tf.tensor1d(normal(keyOf(seed + 1), classes))
        const x = tf.tensor2d(normal(keyOf(seed + 2), batch * dim), [batch, dim])
        const y = tf.tensor1d(randomLabels(keyOf(seed + 3), batch, classes), 'int32')
        const step = softmaxRegressionStep(w, b, x, y, classes)
        const [gw, gb] = tf.grads((ww: tf.Tensor, bb: tf.Tensor) => softmaxCrossEntropy(ww as tf.Tensor2D, bb as tf.Tensor1D, x, y, classes))([w, b])
        const close = (got: tf.Tensor, want: tf.Tensor, what: string) => {
          const g = got.dataSync(), h = want.dataSync()
          assert.equal(g.length, h.length)
          g.forEach((v, i) => assert.ok(Math.abs(v - h[i]!) <= 1e-5 * (1 + Math.abs(h[i]!)), `${what}[${i}]: hand ${v}, autodiff ${h[i]}`))
        }
        close(step.gradWeight, gw!, 'dW')
        close(step.gradBias, gb!, 'db')
        close(step.loss, softmaxCrossEntropy(w, b, x, y, classes), 'loss')
      })
    }),
    { numRuns: 40 },
  )
})

test('law: AdamW update equals the float64 formula of torch.optim.AdamW over several steps', async () => {
  await tf.setBackend('cpu')
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.double({ min: 1e-4, max: 0.1, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }), fc.nat(), (n, steps, lr, wd, seed) => {
      const p0 = normal(keyOf(seed), n)
      let slot = adamSlot(tf.tensor1d(p0))
      const ref = { p: Array.from(p0, Number), m: new Array<number>(n).fill(0), v: new Array<number>(n).fill(0) }
      for (let t = 1; t <= steps; t++) {
        const g = normal(keyOf(seed + t), n)
        const gt = tf.tensor1d(g)
        const next = adamwUpdate(slot, gt, t, lr, wd)
        disposeSlot(slot)
        gt.dispose()
        slot = next
        for (let i = 0; i < n; i++) {
          ref.p[i] = ref.p[i]! * (1 - lr * wd)
          ref.m[i] = 0.9 * ref.m[i]! + 0.1 * g[i]!
          ref.v[i] = 0.999 * ref.v[i]! + 0.001 * g[i]! ** 2
          ref.p[i] = ref.p[i]! - (lr / (1 - 0.9 ** t)) * ref.m[i]! / (Math.sqrt(ref.v[i]!) / Math.sqrt(1 - 0.999 ** t) + 1e-8)
        }
      }
      const got = slot.param.dataSync()
      disposeSlot(slot)
      ref.p.forEach((want, i) => assert.ok(Math.abs(got[i]! - want) <= 1e-5 * (1 + Math.abs(want)), `p[${i}]: ${got[i]} vs ${want}`))
    }),
    { numRuns: 40 },
  )
})

test('law: standardized train features have mean 0 and biased variance var/(var + eps) per feature', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 6 }), fc.double({ min: 0.01, max: 100, noNaN: true }), fc.nat(), (rows, dim, scale, seed) => {
      const values = normal(keyOf(seed), rows * dim).map((x, i) => x * scale + (i % dim))
      const stats = featureStatistics(values, rows, dim)
      const z = standardize(values, rows, dim, stats)
      for (let j = 0; j < dim; j++) {
        let m = 0, v = 0
        for (let i = 0; i < rows; i++) m += z[i * dim + j]!
        m /= rows
        for (let i = 0; i < rows; i++) v += (z[i * dim + j]! - m) ** 2
        v /= rows
        const want = stats.variance[j]! / (stats.variance[j]! + stats.eps)
        assert.ok(Math.abs(m) < 1e-5, `mean[${j}] = ${m}`)
        assert.ok(Math.abs(v - want) < 1e-4, `var[${j}] = ${v}, want ${want}`)
      }
    }),
    { numRuns: 60 },
  )
})

test('law: permutation is a permutation of 0..n−1, a function of its key', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 300 }), fc.nat(), (n, seed) => {
      const p = permutation(keyOf(seed), n)
      assert.deepEqual(Array.from(p).sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i))
      assert.deepEqual(p, permutation(keyOf(seed), n))
    }),
  )
})

test('bad input: shape and label mismatches and bad settings are errors naming the numbers', async () => {
  await tf.setBackend('cpu')
  const { train, test: held } = gaussianBlobs(keyOf(1), 20, 4, 3, 3)
  const probe = (tr: typeof train, te: typeof held, over: Partial<ProbeSettings> = {}) => linearProbe(tr, te, settings(1, { numClasses: 3, epochs: 1, ...over }))
  await assert.rejects(probe({ ...train, labels: train.labels.slice(0, 19) }, held), (e: Error) => e instanceof EvalInputError && /train\.labels: expected 20 labels.*got 19/.test(e.message))
  await assert.rejects(probe(train, { ...held, features: { values: new Float32Array(20 * 5), shape: [20, 5] } }), /test\.features: expected 4 features per row \(as train\.features\), got 5/)
  await assert.rejects(probe(train, held, { numClasses: 2 }), /labels\[\d+\]: expected a class in \[0, 2\), got 2/)
  await assert.rejects(probe({ ...train, features: { values: new Float32Array(7), shape: [20, 4] } }, held), /train\.features: expected 20·4 = 80 values.*got 7 values/)
  await assert.rejects(probe(train, held, { batchSize: 0 }), /settings\.batchSize: expected an integer ≥ 1, got 0/)
  await assert.rejects(probe(train, held, { lr: -1 }), /settings\.lr: expected a finite number > 0, got -1/)
  await assert.rejects(probe(train, held, { numClasses: 1 }), /settings\.numClasses: expected an integer ≥ 2, got 1/)
  const nan = Float32Array.from((train.features as { values: Float32Array }).values)
  nan[6] = NaN
  await assert.rejects(probe({ ...train, features: { values: nan, shape: [20, 4] } }, held), /train\.features\[1\]\[2\]: expected a finite number, got NaN/)
})
