/**
 * RankMe, the effective rank of an embedding matrix (Garrido et al., "RankMe: Assessing the
 * Downstream Performance of Pretrained Self-Supervised Representations by Their Rank", ICML 2023,
 * https://arxiv.org/abs/2210.02885):
 *
 *   RankMe(Z) = exp(−Σ_k p_k log p_k),   p_k = σ_k / ‖σ‖₁ + 1e-7,   σ the singular values of Z [N, D]
 *
 * Z is used as given (not centred), as in the paper. The singular values come from the eigenvalues
 * of the smaller Gram matrix (ZᵀZ, D×D, or ZZᵀ, N×N), accumulated in float64 on the host and
 * diagonalized by Jacobi: σ = √max(λ, 0).
 *
 * Laws: K = min(N, D) equal non-zero singular values on a rank-r matrix give RankMe ≈ r; RankMe is
 * invariant to orthogonal rotations (Z → Z·Q, Z → P·Z) and to scaling (Z → c·Z, c ≠ 0); it is at
 * most K^(1 + K·1e-7) (K up to the 1e-7 smoothing); a rank-one matrix gives ≈ 1. An all-zero matrix
 * has no spectrum to normalize and is rejected with an error.
 */
import { evalError, EvalInputError, orThrow } from './eval-error.ts'
import { type FeatureMatrix, checkMatrix, hostValues } from './feature-matrix.ts'
import { symmetricEigenvalues } from './jacobi-eigenvalues.ts'

/** The smoothing RankMe adds to every p_k. */
export const RANKME_EPS = 1e-7

/** The smaller Gram matrix of a row-major `[rows, dim]` matrix, in float64: ZᵀZ when dim ≤ rows, else ZZᵀ. */
export const smallGram = (values: Float32Array, rows: number, dim: number): { readonly gram: Float64Array; readonly size: number } => {
  if (dim <= rows) {
    const g = new Float64Array(dim * dim)
    const row = new Float64Array(dim)
    for (let n = 0; n < rows; n++) {
      for (let j = 0; j < dim; j++) row[j] = values[n * dim + j]!
      for (let i = 0; i < dim; i++) {
        const zi = row[i]!
        if (zi === 0) continue
        const off = i * dim
        for (let j = i; j < dim; j++) g[off + j] = g[off + j]! + zi * row[j]!
      }
    }
    for (let i = 0; i < dim; i++) for (let j = 0; j < i; j++) g[i * dim + j] = g[j * dim + i]!
    return { gram: g, size: dim }
  }
  const g = new Float64Array(rows * rows)
  for (let a = 0; a < rows; a++) {
    for (let b = a; b < rows; b++) {
      let s = 0
      for (let j = 0; j < dim; j++) s += values[a * dim + j]! * values[b * dim + j]!
      g[a * rows + b] = s
      g[b * rows + a] = s
    }
  }
  return { gram: g, size: rows }
}

/** The min(N, D) singular values of a row-major `[rows, dim]` matrix, largest first. */
export const singularValues = (values: Float32Array, rows: number, dim: number): Float64Array => {
  const { gram, size } = smallGram(values, rows, dim)
  return symmetricEigenvalues(gram, size).map((l) => Math.sqrt(Math.max(l, 0)))
}

/** RankMe of a spectrum: exp of the entropy of σ/‖σ‖₁ + 1e-7. Throws when every σ is 0. */
export const rankMeOfSpectrum = (sigma: ArrayLike<number>): number => {
  let l1 = 0
  for (let k = 0; k < sigma.length; k++) l1 += Math.abs(sigma[k]!)
  if (!(l1 > 0)) throw new EvalInputError(evalError('rankMe', 'a matrix with at least one non-zero singular value', 'an all-zero spectrum'))
  let entropy = 0
  for (let k = 0; k < sigma.length; k++) {
    const p = Math.abs(sigma[k]!) / l1 + RANKME_EPS
    entropy -= p * Math.log(p)
  }
  return Math.exp(entropy)
}

/** RankMe of an embedding matrix `[N, D]`. */
export const rankMe = async (embeddings: FeatureMatrix): Promise<number> => {
  const [rows, dim] = orThrow(checkMatrix('embeddings', embeddings))
  const values = await hostValues(embeddings)
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw new EvalInputError(evalError(`embeddings[${Math.floor(i / dim)}][${i % dim}]`, 'a finite number', String(values[i])))
  }
  return rankMeOfSpectrum(singularValues(values, rows, dim))
}
