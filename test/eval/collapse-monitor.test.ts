import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { keyOf, normal } from '@jepa-ts/core'
import { collapseMonitor, normalizedFeatureStd } from '@jepa-ts/eval'
import { gaussianMatrix } from './helpers.ts'

test('law: a collapsed batch (every row the same vector, at any positive scale) gives 0', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 50 }), fc.integer({ min: 1, max: 40 }), fc.nat(), fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 50, maxLength: 50 }), (rows, dim, seed, scales) => {
      const row = normal(keyOf(seed), dim)
      const values = new Float32Array(rows * dim)
      for (let i = 0; i < rows; i++) for (let j = 0; j < dim; j++) values[i * dim + j] = row[j]! * scales[i]!
      const got = normalizedFeatureStd(values, rows, dim)
      assert.ok(got < 1e-6, `collapsed batch gave ${got}`)
    }),
  )
})

// Rows of an isotropic Gaussian, normalized, are uniform on the sphere: each coordinate has mean 0
// and variance exactly 1/D. The sample variance of one coordinate over N rows has relative std
// √(2(D−1)/((D+2)N)) ≤ √(2/N), so its square root has relative std ≤ √(1/(2N)) ≈ 0.022 at N = 1024,
// and the mean over D ≥ 8 coordinates shrinks that by about √D to ≤ 0.008: 5% is over 6σ.
test('law: an isotropic Gaussian batch gives ≈ 1/√D (within 5% at N = 1024)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 8, max: 64 }), fc.nat(), (dim, seed) => {
      const z = gaussianMatrix(keyOf(seed), 1024, dim)
      const got = normalizedFeatureStd(z.values, 1024, dim)
      assert.ok(Math.abs(got * Math.sqrt(dim) - 1) < 0.05, `D = ${dim}: ${got}, 1/√D = ${1 / Math.sqrt(dim)}`)
    }),
    { numRuns: 30 },
  )
})

test('law: the monitor ignores each row’s scale (it sees directions only)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 30 }), fc.integer({ min: 1, max: 20 }), fc.nat(), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (rows, dim, seed, c) => {
      const z = gaussianMatrix(keyOf(seed), rows, dim)
      const scaled = z.values.map((x, i) => x * c * (1 + Math.floor(i / dim)))
      const a = normalizedFeatureStd(z.values, rows, dim)
      const b = normalizedFeatureStd(scaled, rows, dim)
      assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(a, 1e-3), `${a} vs ${b}`)
    }),
  )
})

test('collapseMonitor reads tensors, and needs two rows', async () => {
  await tf.setBackend('cpu')
  const z = gaussianMatrix(keyOf(1), 64, 16)
  const t = tf.tensor2d(z.values, [64, 16])
  assert.equal(await collapseMonitor(t), await collapseMonitor(z))
  t.dispose()
  await assert.rejects(collapseMonitor({ values: new Float32Array(4), shape: [1, 4] }), /embeddings: expected at least 2 rows \(a std over samples\), got 1/)
})
