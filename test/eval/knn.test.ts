import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs'
import { keyOf, normal } from '@jepa-ts/core'
import { EvalInputError, knnClassify, topK, type HostMatrix, type LabeledFeatures } from '@jepa-ts/eval'
import { axisBlobs, randomLabels } from './helpers.ts'

/**
 * Brute-force weighted kNN in float64, written independently of the package: sort every train row
 * by cosine similarity (ties: smaller index, as tfjs's top-k), vote exp(sim/τ), argmax (ties:
 * smaller class). Also returns, per test row, how close the decision was to a tie, so rows whose
 * answer float32 rounding could flip are recognised.
 */
const bruteForceKnn = (train: LabeledFeatures, test: LabeledFeatures, k: number, temperature: number, numClasses: number) => {
  const tr = train.features as HostMatrix
  const te = test.features as HostMatrix
  const [n, d] = tr.shape
  const unit = (v: Float32Array, i: number): number[] => {
    const row = Array.from(v.subarray(i * d, (i + 1) * d), Number)
    const norm = Math.max(Math.hypot(...row), 1e-12)
    return row.map((x) => x / norm)
  }
  const trainUnit = Array.from({ length: n }, (_, i) => unit(tr.values, i))
  return Array.from({ length: te.shape[0] }, (_, q) => {
    const u = unit(te.values, q)
    const sims = trainUnit.map((t, i) => ({ i, s: t.reduce((acc, x, j) => acc + x * u[j]!, 0) }))
    sims.sort((a, b) => b.s - a.s || a.i - b.i)
    const scores = new Array<number>(numClasses).fill(0)
    for (const { i, s } of sims.slice(0, k)) scores[train.labels[i]!]! += Math.exp(s / temperature)
    const sorted = [...scores].sort((a, b) => b - a)
    const prediction = scores.indexOf(sorted[0]!)
    const boundaryGap = k < n ? sims[k - 1]!.s - sims[k]!.s : Infinity
    const voteGap = (sorted[0]! - sorted[1]!) / sorted[0]!
    // Exact ties (gap 0, e.g. D = 1 where every similarity is ±1) are decided the same way by both
    // sides; only a gap that float32 rounding could close or open makes a row fragile.
    const near = (gap: number, tol: number) => gap > 0 && gap < tol
    return { prediction, fragile: near(boundaryGap, 1e-5) || near(voteGap, 1e-4) }
  })
}

const randomSplit = (seed: number, rows: number, dim: number, classes: number): LabeledFeatures => ({
  features: { values: normal(keyOf(seed), rows * dim), shape: [rows, dim] },
  labels: randomLabels(keyOf(seed + 1), rows, classes),
})

test('kNN gets 100% on well-separated blobs', async () => {
  await tf.setBackend('cpu')
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 8, max: 24 }), fc.nat(), async (classes, dim, seed) => {
      const train = axisBlobs(keyOf(seed), 200, dim, classes, 12)
      const held = axisBlobs(keyOf(seed + 1), 100, dim, classes, 12)
      const r = await knnClassify(train, held, { numClasses: classes })
      assert.equal(r.top1, 1, `top-1 ${r.top1}`)
    }),
    { numRuns: 10 },
  )
})

test('kNN matches a brute-force reference on random data (same prediction on every row whose decision is not a float32 near-tie)', async () => {
  await tf.setBackend('cpu')
  let rowsCompared = 0
  let fragileRows = 0
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 25 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 2, max: 5 }),
      fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 9 }), fc.double({ min: 0.02, max: 1, noNaN: true }), fc.nat(),
      async (trainRows, testRows, dim, classes, kWanted, chunk, temperature, seed) => {
        const k = Math.min(kWanted, trainRows)
        const train = randomSplit(seed, trainRows, dim, classes)
        const held = randomSplit(seed + 2, testRows, dim, classes)
        const got = await knnClassify(train, held, { numClasses: classes, k, temperature, chunk })
        const want = bruteForceKnn(train, held, k, temperature, classes)
        let correct = 0
        want.forEach((w, i) => {
          rowsCompared++
          if (got.predictions[i] === held.labels[i]) correct++
          if (w.fragile) fragileRows++
          else assert.equal(got.predictions[i], w.prediction, `row ${i}: kNN ${got.predictions[i]}, reference ${w.prediction}`)
        })
        assert.equal(got.top1, correct / testRows)
      },
    ),
    { numRuns: 60 },
  )
  console.log(`kNN vs brute force: ${rowsCompared} rows compared, ${fragileRows} near-ties skipped`)
  assert.ok(fragileRows <= 0.05 * rowsCompared, `${fragileRows} of ${rowsCompared} rows were near-ties: the comparison says too little`)
})

test('law: kNN predictions do not depend on the chunk size, nor on tensor vs host input', async () => {
  await tf.setBackend('cpu')
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.nat(), async (chunkA, chunkB, seed) => {
      const train = randomSplit(seed, 50, 6, 3)
      const held = randomSplit(seed + 2, 37, 6, 3)
      const a = await knnClassify(train, held, { numClasses: 3, k: 7, chunk: chunkA })
      const t = tf.tensor2d((train.features as HostMatrix).values, [50, 6])
      const before = tf.memory().numTensors
      const b = await knnClassify({ features: t, labels: train.labels }, held, { numClasses: 3, k: 7, chunk: chunkB })
      assert.equal(tf.memory().numTensors, before, 'kNN left tensors behind')
      t.dispose()
      assert.deepEqual(a.predictions, b.predictions)
    }),
    { numRuns: 15 },
  )
})

test('bad input: k, temperature, chunk, dims and labels are checked with the numbers', async () => {
  await tf.setBackend('cpu')
  const train = randomSplit(1, 10, 4, 3)
  const held = randomSplit(2, 5, 4, 3)
  await assert.rejects(knnClassify(train, held, { numClasses: 3, k: 11 }), (e: Error) => e instanceof EvalInputError && /settings\.k: expected at most the 10 train rows, got 11/.test(e.message))
  await assert.rejects(knnClassify(train, held, { numClasses: 3, k: 3, temperature: 0 }), /settings\.temperature: expected a finite number > 0, got 0/)
  await assert.rejects(knnClassify(train, held, { numClasses: 3, k: 3, chunk: 1.5 }), /settings\.chunk: expected an integer ≥ 1, got 1\.5/)
  await assert.rejects(knnClassify(train, randomSplit(3, 5, 6, 3), { numClasses: 3, k: 3 }), /test\.features: expected 4 features per row \(as train\.features\), got 6/)
  await assert.rejects(knnClassify(train, { ...held, labels: new Int32Array(4) }, { numClasses: 3, k: 3 }), /test\.labels: expected 5 labels \(one per row of test\.features\), got 4/)
  await assert.rejects(knnClassify({ ...train, labels: Int32Array.from({ length: 10 }, () => -1) }, held, { numClasses: 3, k: 3 }), /train\.labels\[0\]: expected a class in \[0, 3\), got -1/)
})

test('law: topK returns the k largest values in descending order, equal values by ascending index (as a stable sort)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 40 }), (values, kWanted) => {
      const k = Math.min(kWanted, values.length)
      const topValues = new Float64Array(k)
      const topIndices = new Int32Array(k)
      topK(values, k, topValues, topIndices)
      const want = values.map((v, i) => ({ v, i })).sort((a, b) => b.v - a.v || a.i - b.i).slice(0, k)
      assert.deepEqual(Array.from(topIndices), want.map((w) => w.i))
      assert.deepEqual(Array.from(topValues), want.map((w) => w.v))
    }),
  )
})

interface KnnFixture {
  rows: number; testRows: number; dim: number; classes: number
  train: number[]; test: number[]; trainLabels: number[]; testLabels: number[]
  runs: { k: number; temperature: number; predictions: number[]; top1: number; minBoundaryGap: number; minVoteMargin: number }[]
}
const knnFixture = JSON.parse(readFileSync(new URL('./fixtures/knn-reference.json', import.meta.url), 'utf8')) as KnnFixture

test('kNN gives the same predictions as the DINO protocol run in PyTorch (k = 1, 5, 20, 50, 200; τ = 0.07, 0.5, 1)', async () => {
  await tf.setBackend('cpu')
  const f = knnFixture
  const train: LabeledFeatures = { features: { values: Float32Array.from(f.train), shape: [f.rows, f.dim] }, labels: Int32Array.from(f.trainLabels) }
  const held: LabeledFeatures = { features: { values: Float32Array.from(f.test), shape: [f.testRows, f.dim] }, labels: Int32Array.from(f.testLabels) }
  assert.equal(f.runs.length, 5)
  for (const run of f.runs) {
    // No decision in the fixture is within float32 reach of a tie, so predictions must match exactly.
    assert.ok(run.minBoundaryGap > 1e-6 && run.minVoteMargin > 1e-4, `fixture k = ${run.k} has a near-tie`)
    const got = await knnClassify(train, held, { numClasses: f.classes, k: run.k, temperature: run.temperature, chunk: 16 })
    assert.deepEqual(Array.from(got.predictions), run.predictions, `k = ${run.k}, τ = ${run.temperature}`)
    assert.ok(Math.abs(got.top1 - run.top1) < 1e-12)
  }
})
