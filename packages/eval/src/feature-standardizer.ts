/**
 * BatchNorm without affine, as a linear probe uses it: per-feature mean and biased variance of the
 * TRAIN features, then `(x − mean) / √(var + eps)` applied to train and test alike, eps = 1e-6
 * (MAE's probe head is `BatchNorm1d(D, affine=False, eps=1e-6)` followed by the Linear layer).
 *
 * Choice: the statistics are computed once, exactly, over the whole frozen train set, in float64.
 * `BatchNorm1d` in eval mode uses running statistics, an exponential average of mini-batch
 * statistics gathered while training; on frozen features those batch statistics are samples of the
 * same population moments, so the running statistics converge to these exact ones in the limit
 * (many steps, momentum → 0). Using them directly removes the dependence on batch size, momentum
 * and shuffling, and makes train and eval see the same normalization.
 *
 * Law: standardized train features have per-feature mean 0 and biased variance var/(var + eps).
 */
import { evalError, EvalInputError } from './eval-error.ts'

/** Per-feature mean and biased variance of a `[N, D]` matrix, with the eps that standardization adds. */
export interface FeatureStatistics {
  readonly mean: Float64Array
  readonly variance: Float64Array
  readonly eps: number
}

/** BatchNorm1d's eps in MAE's linear probe. */
export const STANDARDIZE_EPS = 1e-6

/**
 * Mean and biased variance per column of a row-major `[rows, dim]` matrix (two passes, float64).
 * Throws naming the first non-finite entry (row and column): NaN features would make every later
 * number meaningless.
 */
export const featureStatistics = (values: Float32Array, rows: number, dim: number, eps = STANDARDIZE_EPS, field = 'train.features'): FeatureStatistics => {
  const mean = new Float64Array(dim)
  for (let i = 0; i < rows; i++) {
    const off = i * dim
    for (let j = 0; j < dim; j++) {
      const x = values[off + j]!
      if (!Number.isFinite(x)) throw new EvalInputError(evalError(`${field}[${i}][${j}]`, 'a finite number', String(x)))
      mean[j] = mean[j]! + x
    }
  }
  for (let j = 0; j < dim; j++) mean[j] = mean[j]! / rows
  const variance = new Float64Array(dim)
  for (let i = 0; i < rows; i++) {
    const off = i * dim
    for (let j = 0; j < dim; j++) {
      const c = values[off + j]! - mean[j]!
      variance[j] = variance[j]! + c * c
    }
  }
  for (let j = 0; j < dim; j++) variance[j] = variance[j]! / rows
  return { mean, variance, eps }
}

/** `(x − mean) / √(var + eps)` per column, into a new row-major Float32Array. */
export const standardize = (values: Float32Array, rows: number, dim: number, stats: FeatureStatistics): Float32Array => {
  const out = new Float32Array(rows * dim)
  const scale = new Float64Array(dim)
  for (let j = 0; j < dim; j++) scale[j] = 1 / Math.sqrt(stats.variance[j]! + stats.eps)
  for (let i = 0; i < rows; i++) {
    const off = i * dim
    for (let j = 0; j < dim; j++) out[off + j] = (values[off + j]! - stats.mean[j]!) * scale[j]!
  }
  return out
}
