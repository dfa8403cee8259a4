import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { keyOf, normal } from '@jepa-ts/core'
import { adamwHostState } from '@jepa-ts/ops'
import { readFileSync } from 'node:fs'
import { EvalInputError, adamwStepInPlace, featureStatistics, linearHead, linearProbe, softmaxRegressionStep, standardize, trainHeadOnBatches, type ProbeSettings } from '@jepa-ts/eval'
import { permutation } from '@jepa-ts/core'
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

test('law: the hand-written softmax-regression loss and gradients equal tfjs autodiff of the same loss', async () => {
  await tf.setBackend('cpu')
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 2, max: 6 }), fc.nat(), (total, batchWanted, dim, classes, seed) => {
      const batch = Math.min(batchWanted, total)
      const w = Float64Array.from(normal(keyOf(seed), dim * classes))
      const b = Float64Array.from(normal(keyOf(seed + 1), classes))
      const x = normal(keyOf(seed + 2), total * dim)
      const labels = randomLabels(keyOf(seed + 3), total, classes)
      const rows = permutation(keyOf(seed + 4), total).subarray(0, batch)
      const gw = new Float64Array(dim * classes).fill(7)
      const gb = new Float64Array(classes).fill(7)
      const step = softmaxRegressionStep(w, b, x, labels, rows, dim, classes, gw, gb, new Float64Array(classes))
      tf.tidy(() => {
        const xb = tf.gather(tf.tensor2d(x, [total, dim]), tf.tensor1d(rows, 'int32'))
        const yb = tf.oneHot(tf.gather(tf.tensor1d(labels, 'int32'), tf.tensor1d(rows, 'int32')), classes).toFloat()
        const loss = (ww: tf.Tensor, bb: tf.Tensor) => tf.losses.softmaxCrossEntropy(yb, tf.add(tf.matMul(xb, ww, false, true), bb))
        const wt = tf.tensor2d(Float32Array.from(w), [classes, dim]) // torch's nn.Linear layout [out, in]
        const bt = tf.tensor1d(Float32Array.from(b))
        const [tw, tb] = tf.grads(loss)([wt, bt])
        const close = (got: ArrayLike<number>, want: ArrayLike<number>, what: string) => {
          assert.equal(got.length, want.length)
          for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5 * (1 + Math.abs(want[i]!)), `${what}[${i}]: hand ${got[i]}, autodiff ${want[i]}`)
        }
        close(gw, tw!.dataSync(), 'dW')
        close(gb, tb!.dataSync(), 'db')
        close([step.loss], loss(wt, bt).dataSync(), 'loss')
        const argmax = tf.argMax(tf.add(tf.matMul(xb, wt, false, true), bt), 1).dataSync()
        const truth = tf.gather(tf.tensor1d(labels, 'int32'), tf.tensor1d(rows, 'int32')).dataSync()
        assert.equal(step.correct, argmax.filter((p, i) => p === truth[i]).length)
      })
    }),
    { numRuns: 60 },
  )
})

interface AdamwCase { lr: number; weightDecay: number; param: number[]; grads: number[][]; expected: number[] }
const adamwFixture = JSON.parse(readFileSync(new URL('./fixtures/adamw-reference.json', import.meta.url), 'utf8')) as { cases: AdamwCase[] }

test('AdamW matches torch.optim.AdamW (PyTorch 1.13, float64) on the fixture cases', () => {
  assert.equal(adamwFixture.cases.length, 4)
  adamwFixture.cases.forEach((c, ci) => {
    const state = adamwHostState(Float64Array.from(c.param))
    c.grads.forEach((g, t) => adamwStepInPlace(state, Float64Array.from(g), t + 1, c.lr, c.weightDecay))
    c.expected.forEach((want, i) => assert.ok(Math.abs(state.param[i]! - want) <= 1e-12 * (1 + Math.abs(want)), `case ${ci} p[${i}]: ${state.param[i]} vs torch ${want}`))
  })
})

interface ProbeFixture {
  rows: number; testRows: number; dim: number; classes: number; lr: number; weightDecay: number
  train: number[]; test: number[]; labels: number[]; weight0: number[]; batches: number[][]
  trainStandardized: number[]; testStandardized: number[]; losses: number[]; weight: number[]; bias: number[]
}
const probeFixture = JSON.parse(readFileSync(new URL('./fixtures/probe-reference.json', import.meta.url), 'utf8')) as ProbeFixture

test('standardization equals BatchNorm1d(affine=False, eps=1e-6) in eval mode with the train statistics (PyTorch fixture)', () => {
  const f = probeFixture
  const stats = featureStatistics(Float32Array.from(f.train), f.rows, f.dim)
  const close = (got: ArrayLike<number>, want: readonly number[], what: string) =>
    want.forEach((w, i) => assert.ok(Math.abs(got[i]! - w) <= 1e-6 * (1 + Math.abs(w)), `${what}[${i}]: ${got[i]} vs torch ${w}`))
  close(standardize(Float32Array.from(f.train), f.rows, f.dim, stats), f.trainStandardized, 'train')
  close(standardize(Float32Array.from(f.test), f.testRows, f.dim, stats), f.testStandardized, 'test')
})

test('a training pass equals nn.Linear + cross_entropy + AdamW (decay on the weight only) in PyTorch, batch for batch', () => {
  const f = probeFixture
  const x = standardize(Float32Array.from(f.train), f.rows, f.dim, featureStatistics(Float32Array.from(f.train), f.rows, f.dim))
  const head = linearHead(Float64Array.from(f.weight0), f.classes, f.dim)
  const pass = trainHeadOnBatches(head, x, Int32Array.from(f.labels), f.batches.map((b) => Int32Array.from(b)), f.lr, f.weightDecay)
  assert.equal(head.step, f.batches.length)
  assert.equal(pass.rows, f.batches.reduce((n, b) => n + b.length, 0))
  const torchLossSum = f.losses.reduce((acc, l, i) => acc + l * f.batches[i]!.length, 0)
  assert.ok(Math.abs(pass.lossSum - torchLossSum) <= 1e-5 * torchLossSum, `loss sum ${pass.lossSum} vs torch ${torchLossSum}`)
  f.weight.forEach((w, i) => assert.ok(Math.abs(head.weight.param[i]! - w) <= 1e-7, `weight[${i}]: ${head.weight.param[i]} vs torch ${w}`))
  f.bias.forEach((b, i) => assert.ok(Math.abs(head.bias.param[i]! - b) <= 1e-7, `bias[${i}]: ${head.bias.param[i]} vs torch ${b}`))
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
