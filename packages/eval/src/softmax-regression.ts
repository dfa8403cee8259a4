/**
 * The probe's head on the host: a Linear layer `logits = x·Wᵀ + b` (W `[C, D]` as torch's
 * `nn.Linear.weight`, b `[C]`, row-major float64) trained with softmax cross-entropy, with the gradient written out:
 *
 *   p = softmax(logits),  loss = −(1/B) Σ_i log p[i, y_i]
 *   ∂loss/∂logits = (p − onehot(y)) / B,  ∂loss/∂W = ∂logitsᵀ·x,  ∂loss/∂b = Σ_i ∂logits[i]
 *
 * Why plain loops and not tfjs: a probe step is ~2·B·D·C ≈ 1 MFLOP (B = 256, D = 192, C = 10), far
 * too small to amortize tfjs's per-kernel cost (~50 kernels a step: 27 ms a step on the cpu backend,
 * 5 ms on native, against ~1 ms here); the work is the same on every backend and bit-reproducible.
 * Law: these gradients equal tfjs autodiff's (`tf.grads`) of the same loss.
 */

/** Σ_j a[ao + j]·b[bo + j] over j < n (four accumulators: V8 keeps them in registers). */
const dot = (a: Float32Array, ao: number, b: Float64Array, bo: number, n: number): number => {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0
  let j = 0
  for (; j + 3 < n; j += 4) {
    s0 += a[ao + j]! * b[bo + j]!
    s1 += a[ao + j + 1]! * b[bo + j + 1]!
    s2 += a[ao + j + 2]! * b[bo + j + 2]!
    s3 += a[ao + j + 3]! * b[bo + j + 3]!
  }
  for (; j < n; j++) s0 += a[ao + j]! * b[bo + j]!
  return s0 + s1 + s2 + s3
}

/** y[yo + j] += alpha·x[xo + j] over j < n. */
const axpy = (alpha: number, x: Float32Array, xo: number, y: Float64Array, yo: number, n: number): void => {
  for (let j = 0; j < n; j++) y[yo + j] = y[yo + j]! + alpha * x[xo + j]!
}

/** A mini-batch's mean loss and number of correct argmax predictions (gradients are written into the given arrays). */
export interface SoftmaxRegressionStep {
  readonly loss: number
  readonly correct: number
}

/**
 * Loss, correct count and gradients on the batch of rows `rows` of the row-major `[N, dim]` matrix
 * `features` with labels `labels[N]`. Overwrites `gradWeight` [classes·dim] and `gradBias` [classes];
 * `logits` is scratch space of length `classes`.
 */
export const softmaxRegressionStep = (
  weight: Float64Array, bias: Float64Array, features: Float32Array, labels: Int32Array, rows: Int32Array,
  dim: number, classes: number, gradWeight: Float64Array, gradBias: Float64Array, logits: Float64Array,
): SoftmaxRegressionStep => {
  gradWeight.fill(0)
  gradBias.fill(0)
  const batch = rows.length
  let loss = 0
  let correct = 0
  for (let b = 0; b < batch; b++) {
    const off = rows[b]! * dim
    const y = labels[rows[b]!]!
    for (let c = 0; c < classes; c++) {
      const w = c * dim
      logits[c] = bias[c]! + dot(features, off, weight, w, dim)
    }
    let best = 0
    let max = logits[0]!
    for (let c = 1; c < classes; c++) if (logits[c]! > max) { max = logits[c]!; best = c }
    if (best === y) correct++
    let sum = 0
    for (let c = 0; c < classes; c++) {
      logits[c] = Math.exp(logits[c]! - max)
      sum += logits[c]!
    }
    loss -= Math.log(logits[y]! / sum)
    for (let c = 0; c < classes; c++) logits[c] = (logits[c]! / sum - (c === y ? 1 : 0)) / batch
    for (let c = 0; c < classes; c++) {
      const g = logits[c]!
      gradBias[c] = gradBias[c]! + g
      const w = c * dim
      axpy(g, features, off, gradWeight, w, dim)
    }
  }
  return { loss: loss / batch, correct }
}

/** Argmax class (first on ties) of the head for row `row` of the row-major `[N, dim]` matrix. */
export const predictRow = (weight: Float64Array, bias: Float64Array, features: Float32Array, row: number, dim: number, classes: number, logits: Float64Array): number => {
  const off = row * dim
  for (let c = 0; c < classes; c++) {
    const w = c * dim
    logits[c] = bias[c]! + dot(features, off, weight, w, dim)
  }
  let best = 0
  for (let c = 1; c < classes; c++) if (logits[c]! > logits[best]!) best = c
  return best
}
