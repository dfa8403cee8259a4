/**
 * The collapse monitor: how spread out L2-normalized embeddings are (the "std of normalized
 * embeddings" of SimSiam §4.1 / lightly's `std_of_l2_normalized`):
 *
 *   collapseMonitor(Z [N, D]) = (1/D) Σ_j std_i( Z[i, j] / ‖Z[i]‖ )     std with Bessel's correction
 *
 * Reading: 0 when every row points the same way (complete collapse); ≈ 1/√D when the directions
 * are isotropic (uniform on the sphere each coordinate has mean 0 and variance exactly 1/D, since
 * the D squared coordinates sum to 1 and are exchangeable). Values between mean partial collapse.
 * Rows of zero norm stay zero (divided by 1e-12, as F.normalize). Needs N ≥ 2. Float64 on the host.
 */
import { evalError, EvalInputError, orThrow } from './eval-error.ts'
import { type FeatureMatrix, checkMatrix, hostValues } from './feature-matrix.ts'

/** Mean over columns of the per-column sample std of the row-normalized `[rows, dim]` matrix. */
export const normalizedFeatureStd = (values: Float32Array, rows: number, dim: number): number => {
  if (rows < 2) throw new EvalInputError(evalError('embeddings', 'at least 2 rows (a std over samples)', `${rows}`))
  const sum = new Float64Array(dim)
  const sumSq = new Float64Array(dim)
  const unit = new Float64Array(dim)
  const mean = new Float64Array(dim)
  for (let i = 0; i < rows; i++) {
    let norm = 0
    for (let j = 0; j < dim; j++) norm += values[i * dim + j]! * values[i * dim + j]!
    const inv = 1 / Math.max(Math.sqrt(norm), 1e-12)
    for (let j = 0; j < dim; j++) sum[j] = sum[j]! + values[i * dim + j]! * inv
  }
  for (let j = 0; j < dim; j++) mean[j] = sum[j]! / rows
  for (let i = 0; i < rows; i++) {
    let norm = 0
    for (let j = 0; j < dim; j++) norm += values[i * dim + j]! * values[i * dim + j]!
    const inv = 1 / Math.max(Math.sqrt(norm), 1e-12)
    for (let j = 0; j < dim; j++) {
      unit[j] = values[i * dim + j]! * inv - mean[j]!
      sumSq[j] = sumSq[j]! + unit[j]! * unit[j]!
    }
  }
  let total = 0
  for (let j = 0; j < dim; j++) total += Math.sqrt(sumSq[j]! / (rows - 1))
  return total / dim
}

/** The collapse monitor of an embedding matrix `[N, D]`: ≈ 0 collapsed, ≈ 1/√D healthy. */
export const collapseMonitor = async (embeddings: FeatureMatrix): Promise<number> => {
  const [rows, dim] = orThrow(checkMatrix('embeddings', embeddings))
  return normalizedFeatureStd(await hostValues(embeddings), rows, dim)
}
