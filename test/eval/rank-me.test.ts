import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs'
import { keyOf, normal } from '@jepa-ts/core'
import { EvalInputError, RANKME_EPS, rankMe, rankMeOfSpectrum, singularValues, symmetricEigenvalues, type HostMatrix } from '@jepa-ts/eval'
import { gaussianMatrix, matmul64, matrixWithSpectrum, randomOrthogonal } from './helpers.ts'

const transpose64 = (a: ArrayLike<number>, m: number, n: number): Float64Array => {
  const out = new Float64Array(m * n)
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a[i * n + j]!
  return out
}

test('law: Jacobi recovers the eigenvalues of Q·diag(λ)·Qᵀ (sorted, descending)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 24 }), fc.nat(), (n, seed) => {
      const lambda = Array.from(normal(keyOf(seed), n), (x) => 10 * x)
      const q = randomOrthogonal(keyOf(seed + 1), n)
      const diagQt = new Float64Array(n * n)
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) diagQt[i * n + j] = lambda[i]! * q[j * n + i]!
      const a = matmul64(q, diagQt, n, n, n)
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i]! // exactly symmetric
      const copy = Float64Array.from(a)
      const got = symmetricEigenvalues(a, n)
      assert.deepEqual(a, copy, 'the input was modified')
      const want = [...lambda].sort((x, y) => y - x)
      const scale = Math.max(1, ...want.map(Math.abs))
      want.forEach((w, i) => assert.ok(Math.abs(got[i]! - w) <= 1e-9 * scale, `λ[${i}] = ${got[i]}, want ${w}`))
    }),
    { numRuns: 60 },
  )
})

test('RankMe of a known spectrum: diag(4, 3) gives exp(H(4/7 + ε, 3/7 + ε))', async () => {
  const p = [4 / 7 + RANKME_EPS, 3 / 7 + RANKME_EPS]
  const want = Math.exp(-p.reduce((s, x) => s + x * Math.log(x), 0))
  const got = await rankMe({ values: Float32Array.from([3, 0, 0, 4]), shape: [2, 2] })
  assert.ok(Math.abs(got - want) < 1e-12, `${got} vs ${want}`)
})

test('law: a rank-r matrix with r equal singular values has RankMe ≈ r', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 24 }), fc.double({ min: 0.01, max: 100, noNaN: true }), fc.nat(), (rows, dim, rWanted, s, seed) => {
      const r = Math.min(rWanted, rows, dim)
      const z = matrixWithSpectrum(keyOf(seed), rows, dim, new Array<number>(r).fill(s))
      const got = rankMeOfSpectrum(singularValues(z.values, rows, dim))
      assert.ok(Math.abs(got - r) <= 1e-3 * r, `rank ${r} of [${rows}, ${dim}]: RankMe ${got}`)
    }),
    { numRuns: 60 },
  )
})

test('law: RankMe is invariant to orthogonal rotations on either side and to scaling', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.boolean(), fc.nat(), (rows, dim, c, negate, seed) => {
      const z = gaussianMatrix(keyOf(seed), rows, dim)
      const base = rankMeOfSpectrum(singularValues(z.values, rows, dim))
      const right = Float32Array.from(matmul64(z.values, randomOrthogonal(keyOf(seed + 1), dim), rows, dim, dim))
      const left = Float32Array.from(matmul64(randomOrthogonal(keyOf(seed + 2), rows), z.values, rows, rows, dim))
      const scaled = z.values.map((x) => (negate ? -c : c) * x)
      for (const [what, v] of [['Z·Q', right], ['P·Z', left], ['c·Z', scaled]] as const) {
        const got = rankMeOfSpectrum(singularValues(v, rows, dim))
        assert.ok(Math.abs(got - base) <= 1e-4 * base, `${what}: ${got} vs ${base}`)
      }
    }),
    { numRuns: 60 },
  )
})

test('law: RankMe(Z) = RankMe(Zᵀ) (the ZᵀZ and ZZᵀ paths agree) and 1 − 1e-6 ≤ RankMe ≤ K^(1 + K·1e-7), K = min(N, D)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.nat(), fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 1, maxLength: 30 }), (rows, dim, seed, spectrum) => {
      const sigma = spectrum.slice(0, Math.min(rows, dim))
      if (Math.max(...sigma) < 0.1) sigma[0] = 1 // keep a spectrum float32 entries can carry
      const z = matrixWithSpectrum(keyOf(seed), rows, dim, sigma)
      const zt = Float32Array.from(transpose64(z.values, rows, dim))
      const a = rankMeOfSpectrum(singularValues(z.values, rows, dim))
      const b = rankMeOfSpectrum(singularValues(zt, dim, rows))
      const k = Math.min(rows, dim)
      assert.ok(Math.abs(a - b) <= 1e-6 * a, `Z: ${a}, Zᵀ: ${b}`)
      assert.ok(a >= 1 - 1e-6 && a <= k ** (1 + k * RANKME_EPS), `RankMe ${a} outside [1, ${k}]`)
    }),
    { numRuns: 80 },
  )
})

test('RankMe of a D = 192 Gaussian matrix is close to D and reads tensors', async () => {
  await tf.setBackend('cpu')
  const z = gaussianMatrix(keyOf(4), 2000, 192)
  const t = tf.tensor2d(z.values, [2000, 192])
  const got = await rankMe(t)
  t.dispose()
  // Marchenko–Pastur with ratio 192/2000: singular values within 1 ± 0.31 of √N, so the entropy is near its maximum.
  assert.ok(got > 0.97 * 192 && got <= 192 * 1.0001, `RankMe ${got}`)
  assert.equal(got, await rankMe(z))
})

test('bad input: RankMe rejects non-matrices, wrong value counts, NaN and all-zero matrices', async () => {
  await assert.rejects(rankMe({ values: new Float32Array(5), shape: [2, 3] }), /embeddings: expected 2·3 = 6 values/)
  await assert.rejects(rankMe({ values: new Float32Array(6), shape: [2, 3] }), (e: Error) => e instanceof EvalInputError && /all-zero spectrum/.test(e.message))
  await assert.rejects(rankMe({ values: Float32Array.from([1, NaN, 0, 1]), shape: [2, 2] }), /embeddings\[0\]\[1\]: expected a finite number, got NaN/)
  await assert.rejects(rankMe({ values: new Float32Array(6), shape: [6] } as unknown as HostMatrix), /expected a matrix \[N, D\] \(rank 2\), got shape \[6\]/)
})

interface RankMeFixture { cases: { name: string; shape: [number, number]; values: number[]; rankMe: number; singularValues: number[] }[] }
const rankMeFixture = JSON.parse(readFileSync(new URL('./fixtures/rankme-reference.json', import.meta.url), 'utf8')) as RankMeFixture

test('singular values and RankMe equal torch.linalg.svdvals-based values (tall, wide, rank-deficient, badly scaled)', async () => {
  assert.equal(rankMeFixture.cases.length, 4)
  for (const c of rankMeFixture.cases) {
    const values = Float32Array.from(c.values)
    const sigma = singularValues(values, c.shape[0], c.shape[1])
    assert.equal(sigma.length, c.singularValues.length, c.name)
    // σ from √λ(ZᵀZ) is accurate to ~1e-8·σ_max absolutely (the zero σ of a rank-deficient matrix come out ~1e-7·σ_max).
    c.singularValues.forEach((want, i) => assert.ok(Math.abs(sigma[i]! - want) <= 1e-6 * c.singularValues[0]!, `${c.name}: σ[${i}] ${sigma[i]} vs torch ${want}`))
    const got = await rankMe({ values, shape: c.shape })
    assert.ok(Math.abs(got - c.rankMe) <= 1e-6 * c.rankMe, `${c.name}: RankMe ${got} vs torch ${c.rankMe}`)
  }
})
