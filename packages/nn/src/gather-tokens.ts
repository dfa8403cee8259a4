/**
 * `gatherTokens(x, idx)`: keeps, for each sample b, the tokens x[b, idx[b, k]] in the order of idx —
 * the reference I-JEPA `apply_masks` for one mask (`torch.gather` along the token axis).
 *
 * Shape law: x [B, N, D], idx int32 [B, K] → [B, K, D]. Every index must lie in [0, N) and appear
 * once per row: they are checked on the host (one `dataSync` of idx) and a violation throws a
 * RangeError naming the first bad index, its position and N — an int 0/1 mask is refused, not gathered. Differentiable in x (gradient: scatter-add into the gathered rows).
 *
 * @example
 * import * as tf from '@tensorflow/tfjs'
 * import { gatherTokens } from '@jepa-ts/nn'
 * const x = tf.randomNormal([2, 16, 8])
 * const kept = gatherTokens(x, tf.tensor2d([[0, 5, 9], [1, 2, 15]], [2, 3], 'int32')) // [2, 3, 8]
 */
import * as tf from '@tensorflow/tfjs'

/** Gathers tokens per sample; `label` prefixes error messages (e.g. `encode: tokenIdx`). */
export const gatherTokens = (x: tf.Tensor, idx: tf.Tensor, label = 'gatherTokens'): tf.Tensor => {
  if (x.rank !== 3) throw new RangeError(`${label}: expected tokens [B, N, D], got [${x.shape.join(', ')}]`)
  const [B, N, D] = [x.shape[0]!, x.shape[1]!, x.shape[2]!]
  if (idx.dtype !== 'int32') throw new TypeError(`${label}: expected int32 indices, got ${idx.dtype}`)
  if (idx.rank !== 2 || idx.shape[0] !== B) throw new RangeError(`${label}: expected indices [${B}, K] for ${B} samples, got [${idx.shape.join(', ')}]`)
  const K = idx.shape[1]!
  const data = checkTokenIndices(idx, N, label)
  const rows = new Int32Array(B * K) // row of x viewed as [B·N, D]
  for (let i = 0; i < data.length; i++) rows[i] = Math.floor(i / K) * N + data[i]!
  return tf.tidy(() => tf.reshape(tf.gather(tf.reshape(x, [B * N, D]), tf.tensor1d(rows, 'int32'), 0), [B, K, D]))
}

const positionOf = (idx: tf.Tensor, i: number): string => {
  const pos: number[] = []
  let rest = i
  for (let a = idx.rank - 1; a >= 0; a--) {
    pos.unshift(rest % idx.shape[a]!)
    rest = Math.floor(rest / idx.shape[a]!)
  }
  return `[${pos.join(', ')}]`
}

/**
 * The host copy of int32 token indices of any shape [..., K], after checking every entry lies in
 * [0, N) and no row (last axis) names a token twice — token indices are a set of positions (a mask's
 * kept tokens, a permutation), so a repeat means something else was passed: typically a 0/1 mask
 * [B, N] where indices [B, K] were expected, which the range check alone would let through.
 * Throws a RangeError naming the first bad index, its position and N (prefixed by `label`).
 */
export const checkTokenIndices = (idx: tf.Tensor, N: number, label: string): Int32Array => {
  if (idx.dtype !== 'int32') throw new TypeError(`${label}: expected int32 indices, got ${idx.dtype}`)
  const data = idx.dataSync() as Int32Array
  const K = idx.rank === 0 ? 1 : idx.shape[idx.rank - 1]!
  const seenInRow = new Int32Array(Math.max(N, 0)) // row number + 1 where the token was last seen
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!
    if (v < 0 || v >= N) {
      throw new RangeError(`${label}: index ${v} at ${positionOf(idx, i)} is out of range for ${N} tokens (valid 0…${N - 1})`)
    }
    const row = Math.floor(i / K) + 1
    if (seenInRow[v] === row) {
      const binary = data.every((d) => d === 0 || d === 1)
      const hint = binary ? `; the values are all 0 or 1: a 0/1 mask [${idx.shape.join(', ')}] passed where token indices are expected? (indices of the kept tokens, e.g. a mask's idsKeep)` : ''
      throw new RangeError(`${label}: index ${v} at ${positionOf(idx, i)} repeats a token of its row (token indices must be distinct)${hint}`)
    }
    seenInRow[v] = row
  }
  return data
}

/**
 * `gatherBlocks(x, blocks)`: the reference `apply_masks` with a list of masks — gathers each block
 * of indices and concatenates the results along the batch axis, block-major. x [B, N, D], blocks T
 * tensors int32 [B, K] (same K) → [T·B, K, D]; row t·B + b is block t of sample b, the order of the
 * predictor's output, so `gatherBlocks(targetFeatures, targetIdx)` lines up with `predict(…)`.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs'
 * import { gatherBlocks } from '@jepa-ts/nn'
 * const h = tf.randomNormal([2, 16, 8])
 * const blocks = [tf.tensor2d([[0, 1], [2, 3]], [2, 2], 'int32'), tf.tensor2d([[4, 5], [6, 7]], [2, 2], 'int32')]
 * const targets = gatherBlocks(h, blocks) // [4, 2, 8]
 */
export const gatherBlocks = (x: tf.Tensor, blocks: readonly tf.Tensor[], label = 'gatherBlocks'): tf.Tensor => {
  if (blocks.length === 0) throw new RangeError(`${label}: expected at least one block of indices, got none`)
  const shapes = blocks.map((b) => `[${b.shape.join(', ')}]`)
  if (new Set(shapes).size !== 1) throw new RangeError(`${label}: all blocks must have the same shape [B, K], got ${shapes.join(', ')}`)
  return tf.tidy(() => tf.concat(blocks.map((b, t) => gatherTokens(x, b, `${label}[${t}]`)), 0))
}
