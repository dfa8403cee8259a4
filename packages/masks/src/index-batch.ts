/**
 * A batch of index rows: `data` holds `shape[0]` rows of `shape[1]` int32 indices, row-major — ready
 * for `tf.tensor2d(data, shape, 'int32')` on the tfjs side (this package never imports tfjs).
 */

/** Row-major int32 indices of shape `[B, K]`. */
export interface IndexBatch {
  readonly data: Int32Array
  readonly shape: readonly [number, number]
}

/** Row `b` of an index batch (a view, not a copy). */
export const rowOf = (batch: IndexBatch, b: number): Int32Array => {
  const [rows, k] = batch.shape
  if (!(Number.isInteger(b) && b >= 0 && b < rows)) throw new RangeError(`rowOf: row ${b} outside [0, ${rows})`)
  return batch.data.subarray(b * k, (b + 1) * k)
}

/** Stacks rows, keeping the first `k` entries of each (every row must have at least `k`). */
export const stackRows = (rows: ReadonlyArray<Int32Array>, k: number): IndexBatch => {
  const data = new Int32Array(rows.length * k)
  rows.forEach((row, b) => {
    if (row.length < k) throw new RangeError(`stackRows: row ${b} has ${row.length} entries, fewer than ${k}`)
    data.set(row.subarray(0, k), b * k)
  })
  return { data, shape: [rows.length, k] }
}
