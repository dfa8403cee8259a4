/**
 * Weighted k-nearest-neighbour classification on frozen features, the InstDisc / DINO protocol
 * (facebookresearch/dino `eval_knn.py`, `knn_classifier`):
 *
 *   sim(q, t) = ⟨q/‖q‖, t/‖t‖⟩                        cosine similarity to every train row
 *   N_k(q)    = the k train rows of highest similarity
 *   score_c   = Σ_{t ∈ N_k(q), label(t) = c} exp(sim(q, t) / τ)
 *   predict   = argmax_c score_c                     ties: the smaller class index
 *
 * Defaults k = 20, τ = 0.07 (DINO's). Rows with zero norm are left at zero (as F.normalize with its
 * eps), so their similarities are 0. Memory stays bounded: test rows are processed `chunk` at a
 * time, so the largest tensor is the `[chunk, N_train]` similarity block (256 × 60000 floats =
 * 61 MB by default), whatever the test size. The similarity matmul runs on the active tfjs backend
 * (it is the whole cost: 2·M·N·D flops); top-k and the votes run on the host (one pass per row with
 * a k-slot insertion list, ~10× faster than tfjs's cpu top-k at N = 60000). Neighbour ties are
 * broken by the smaller train index, as tfjs's top-k does. Features are assumed finite.
 * Ownership: inputs are neither disposed nor written; no tensor outlives the call.
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { checkInteger, checkPositive, evalError, orThrow } from './eval-error.ts'
import { type LabeledFeatures, asTensor, checkSplits } from './feature-matrix.ts'

/** How neighbours vote. */
export interface KnnSettings {
  readonly numClasses: number
  /** Neighbours per test row (default 20). */
  readonly k?: number
  /** Vote temperature τ: weights are exp(sim/τ) (default 0.07). */
  readonly temperature?: number
  /** Test rows per similarity block (default 256). */
  readonly chunk?: number
}

/** kNN's score and its per-row decisions. */
export interface KnnResult {
  /** Fraction of test rows whose prediction equals the label, in [0, 1]. */
  readonly top1: number
  /** Predicted class per test row. */
  readonly predictions: Int32Array
}

export const KNN_DEFAULT_K = 20
export const KNN_DEFAULT_TEMPERATURE = 0.07
export const KNN_DEFAULT_CHUNK = 256

/** Rows scaled to unit L2 norm (rows of norm below 1e-12 are divided by 1e-12, as F.normalize). */
export const l2NormalizeRows = (x: tf.Tensor2D): tf.Tensor2D =>
  tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D)

/**
 * The weighted vote of one test row's neighbours: their similarities and labels → the class with
 * the largest Σ exp(sim/τ) (smaller class index on ties). `scores` is scratch space of length C.
 */
export const weightedVote = (similarities: ArrayLike<number>, neighbourLabels: ArrayLike<number>, temperature: number, scores: Float64Array): number => {
  scores.fill(0)
  for (let j = 0; j < similarities.length; j++) {
    const c = neighbourLabels[j]!
    scores[c] = scores[c]! + Math.exp(similarities[j]! / temperature)
  }
  let best = 0
  for (let c = 1; c < scores.length; c++) if (scores[c]! > scores[best]!) best = c
  return best
}

/**
 * The k largest entries of `values` (descending; equal values keep their index order) into
 * `topValues` / `topIndices`, both of length k ≤ values.length.
 */
export const topK = (values: ArrayLike<number>, k: number, topValues: Float64Array, topIndices: Int32Array): void => {
  let count = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (count === k && !(v > topValues[k - 1]!)) continue
    let pos = count < k ? count++ : k - 1
    while (pos > 0 && topValues[pos - 1]! < v) {
      topValues[pos] = topValues[pos - 1]!
      topIndices[pos] = topIndices[pos - 1]!
      pos--
    }
    topValues[pos] = v
    topIndices[pos] = i
  }
}

/** Classifies every test row by its k most cosine-similar train rows and reports top-1. */
export const knnClassify = async (train: LabeledFeatures, test: LabeledFeatures, settings: KnnSettings): Promise<KnnResult> => {
  const k = settings.k ?? KNN_DEFAULT_K
  const temperature = settings.temperature ?? KNN_DEFAULT_TEMPERATURE
  const chunk = settings.chunk ?? KNN_DEFAULT_CHUNK
  const { trainRows, testRows } = orThrow(checkSplits(train, test, settings.numClasses))
  orThrow(
    pipe(
      checkInteger('settings.k', k, 1),
      E.chain(() => (k <= trainRows ? E.right(k) : E.left(evalError('settings.k', `at most the ${trainRows} train rows`, `${k}`)))),
      E.chain(() => checkPositive('settings.temperature', temperature)),
      E.chain(() => checkInteger('settings.chunk', chunk, 1)),
    ),
  )
  const trainT = asTensor(train.features)
  const testT = asTensor(test.features)
  const trainUnit = l2NormalizeRows(trainT.tensor)
  const predictions = new Int32Array(testRows)
  const scores = new Float64Array(settings.numClasses)
  const topValues = new Float64Array(k)
  const topIndices = new Int32Array(k)
  const neighbourLabels = new Int32Array(k)
  let correct = 0
  try {
    for (let start = 0; start < testRows; start += chunk) {
      const rows = Math.min(chunk, testRows - start)
      const block = tf.tidy(() => tf.matMul(l2NormalizeRows(tf.slice(testT.tensor, [start, 0], [rows, -1])), trainUnit, false, true))
      const sims = await block.data()
      block.dispose()
      for (let r = 0; r < rows; r++) {
        topK(sims.subarray(r * trainRows, (r + 1) * trainRows), k, topValues, topIndices)
        for (let j = 0; j < k; j++) neighbourLabels[j] = train.labels[topIndices[j]!]!
        const p = weightedVote(topValues, neighbourLabels, temperature, scores)
        predictions[start + r] = p
        if (p === test.labels[start + r]) correct++
      }
    }
    return { top1: correct / testRows, predictions }
  } finally {
    trainUnit.dispose()
    if (trainT.owned) trainT.tensor.dispose()
    if (testT.owned) testT.tensor.dispose()
  }
}
