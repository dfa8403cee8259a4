/**
 * Eigenvalues of a real symmetric matrix by the cyclic Jacobi method, in float64 on the host
 * (tfjs has no SVD or eigendecomposition). Each rotation zeroes one off-diagonal pair and leaves the
 * eigenvalues unchanged; sweeps repeat until the off-diagonal mass is below 1e-30 of the total
 * (convergence is quadratic, typically 6–10 sweeps). Cost O(n³) per sweep: n = 192 takes
 * milliseconds, n = 1024 seconds.
 *
 *   symmetricEigenvalues(a: Float64Array [n·n] row-major, n) → Float64Array [n], descending
 *
 * Laws: the eigenvalues of Q·diag(λ)·Qᵀ (Q orthogonal) are λ; their sum is the trace and the sum
 * of their squares is the squared Frobenius norm. The input is not modified.
 * Method: Jacobi (1846); rotation formulas as in Golub & Van Loan, "Matrix Computations", §8.5.
 */
import { evalError, EvalInputError } from './eval-error.ts'

const MAX_SWEEPS = 100

/** All n eigenvalues of the symmetric n×n matrix `a`, largest first. */
export const symmetricEigenvalues = (a: Float64Array, n: number): Float64Array => {
  if (!Number.isInteger(n) || n < 1 || a.length !== n * n) {
    throw new EvalInputError(evalError('symmetricEigenvalues', `an n×n matrix with n ≥ 1 (n = ${n} → ${n * n} entries)`, `${a.length} entries`))
  }
  const m = Float64Array.from(a)
  let total = 0
  for (let i = 0; i < n * n; i++) {
    const x = m[i]!
    if (!Number.isFinite(x)) throw new EvalInputError(evalError(`symmetricEigenvalues[${Math.floor(i / n)}][${i % n}]`, 'a finite number', String(x)))
    total += x * x
  }
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q]! * m[p * n + q]!
    if (off <= 1e-30 * total || off === 0) break
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!
        if (apq === 0) continue
        const app = m[p * n + p]!
        const aqq = m[q * n + q]!
        const theta = (aqq - app) / (2 * apq)
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        m[p * n + p] = app - t * apq
        m[q * n + q] = aqq + t * apq
        m[p * n + q] = 0
        m[q * n + p] = 0
        for (let r = 0; r < n; r++) {
          if (r === p || r === q) continue
          const arp = m[r * n + p]!
          const arq = m[r * n + q]!
          const newRp = c * arp - s * arq
          const newRq = s * arp + c * arq
          m[r * n + p] = newRp
          m[p * n + r] = newRp
          m[r * n + q] = newRq
          m[q * n + r] = newRq
        }
      }
    }
  }
  const eig = new Float64Array(n)
  for (let i = 0; i < n; i++) eig[i] = m[i * n + i]!
  return eig.sort().reverse()
}
