/**
 * Synthetic data for the evaluation tests, all drawn from explicit keys: Gaussian blobs (classes
 * around far-apart centres), random labels, random orthogonal matrices, exact low-rank matrices.
 */
import { type Key, fold, normal, randint } from '@jepa-ts/core'
import type { HostMatrix, LabeledFeatures } from '@jepa-ts/eval'

/** `rows` points per split around `classes` centres `separation·e_c` (axis c), noise N(0, 1) per feature. */
export const axisBlobs = (key: Key, rows: number, dim: number, classes: number, separation: number): LabeledFeatures => {
  const noise = normal(fold(key, 'noise'), rows * dim)
  const labels = new Int32Array(rows)
  const values = new Float32Array(rows * dim)
  for (let i = 0; i < rows; i++) {
    const c = i % classes
    labels[i] = c
    for (let j = 0; j < dim; j++) values[i * dim + j] = noise[i * dim + j]! + (j === c % dim ? separation : 0)
  }
  return { features: { values, shape: [rows, dim] }, labels }
}

/** `rows` points around `classes` random Gaussian centres of scale `separation`, noise N(0, 1). */
export const gaussianBlobs = (key: Key, rows: number, dim: number, classes: number, separation: number): { train: LabeledFeatures; test: LabeledFeatures } => {
  const centres = normal(fold(key, 'centres'), classes * dim).map((x) => x * separation)
  const make = (k: Key): LabeledFeatures => {
    const noise = normal(k, rows * dim)
    const labels = new Int32Array(rows)
    const values = new Float32Array(rows * dim)
    for (let i = 0; i < rows; i++) {
      const c = randint(fold(k, i), 0, classes)
      labels[i] = c
      for (let j = 0; j < dim; j++) values[i * dim + j] = noise[i * dim + j]! + centres[c * dim + j]!
    }
    return { features: { values, shape: [rows, dim] }, labels }
  }
  return { train: make(fold(key, 'train')), test: make(fold(key, 'test')) }
}

/** `rows` uniformly random labels in [0, classes). */
export const randomLabels = (key: Key, rows: number, classes: number): Int32Array => Int32Array.from({ length: rows }, (_, i) => randint(fold(key, i), 0, classes))

/** A host matrix of i.i.d. N(0, 1) entries. */
export const gaussianMatrix = (key: Key, rows: number, dim: number): HostMatrix => ({ values: normal(key, rows * dim), shape: [rows, dim] })

/** An n×n orthogonal matrix (Gram–Schmidt on a Gaussian matrix, twice for accuracy), row-major float64. */
export const randomOrthogonal = (key: Key, n: number): Float64Array => {
  const q = Float64Array.from(normal(key, n * n))
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        let dot = 0
        for (let t = 0; t < n; t++) dot += q[i * n + t]! * q[j * n + t]!
        for (let t = 0; t < n; t++) q[i * n + t] = q[i * n + t]! - dot * q[j * n + t]!
      }
      let norm = 0
      for (let t = 0; t < n; t++) norm += q[i * n + t]! ** 2
      norm = Math.sqrt(norm)
      for (let t = 0; t < n; t++) q[i * n + t] = q[i * n + t]! / norm
    }
  }
  return q
}

/** Row-major product of `[m, k]` and `[k, n]` in float64. */
export const matmul64 = (a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array => {
  const out = new Float64Array(m * n)
  for (let i = 0; i < m; i++) for (let t = 0; t < k; t++) {
    const x = a[i * k + t]!
    for (let j = 0; j < n; j++) out[i * n + j] = out[i * n + j]! + x * b[t * n + j]!
  }
  return out
}

/**
 * A `[rows, dim]` matrix with singular values `sigma` (length r ≤ min(rows, dim)) and random
 * singular vectors: U[:, :r]·diag(σ)·V[:, :r]ᵀ.
 */
export const matrixWithSpectrum = (key: Key, rows: number, dim: number, sigma: readonly number[]): HostMatrix => {
  const u = randomOrthogonal(fold(key, 'u'), rows)
  const v = randomOrthogonal(fold(key, 'v'), dim)
  const values = new Float32Array(rows * dim)
  for (let i = 0; i < rows; i++) for (let j = 0; j < dim; j++) {
    let s = 0
    for (let r = 0; r < sigma.length; r++) s += u[i * rows + r]! * sigma[r]! * v[j * dim + r]!
    values[i * dim + j] = s
  }
  return { values, shape: [rows, dim] }
}
