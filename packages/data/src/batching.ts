/**
 * Seeded shuffling and batching as pure functions of (key, epoch): epoch e's order is a Fisher–Yates
 * permutation drawn from `fold(key, e)`, so resuming at global step k needs no replay —
 * `batchAt(key, n, batchSize, k)` gives step k's indices directly (epoch = ⌊k / stepsPerEpoch⌋).
 * Laws: with `dropLast: false` each epoch's batches hold every index in [0, n) exactly once; the same
 * key gives the same order; `batchAt` at step e·stepsPerEpoch + i equals the i-th batch of epoch e.
 * With `dropLast: true` the last partial batch of each epoch is left out (all batches full).
 */
import { type Key, fold, permutation } from '@jepa-ts/core'

/** Options of the batchers. */
export interface BatchingOptions {
  /** Leave out each epoch's last partial batch, so every batch has exactly batchSize indices. */
  readonly dropLast: boolean
}

const checkSizes = (n: number, batchSize: number): void => {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`batching: dataset size n must be a positive integer, got ${n}`)
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batching: batchSize must be a positive integer, got ${batchSize}`)
}

/** The number of batches in one epoch. */
export const stepsPerEpoch = (n: number, batchSize: number, options: BatchingOptions): number => {
  checkSizes(n, batchSize)
  const steps = options.dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize)
  if (steps === 0) throw new RangeError(`batching: with dropLast, batchSize ${batchSize} exceeds the dataset size ${n}: no full batch`)
  return steps
}

/** Epoch `epoch`'s order: the permutation of [0, n) drawn from fold(key, epoch) (core's `permutation`). */
export const epochPermutation = (key: Key, n: number, epoch: number): Int32Array => {
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new RangeError(`batching: epoch must be a non-negative integer, got ${epoch}`)
  return permutation(fold(key, epoch), n)
}

/** The batches of one epoch, in order (each a fresh Int32Array of indices into the dataset). */
export function* shuffledBatches(key: Key, n: number, batchSize: number, options: BatchingOptions & { readonly epoch?: number }): Generator<Int32Array> {
  const steps = stepsPerEpoch(n, batchSize, options)
  const order = epochPermutation(key, n, options.epoch ?? 0)
  for (let s = 0; s < steps; s++) yield order.slice(s * batchSize, Math.min(n, (s + 1) * batchSize))
}

let cached: { readonly hi: number; readonly lo: number; readonly n: number; readonly epoch: number; readonly order: Int32Array } | undefined

/** The indices of global step `step` (counting from 0 across epochs), with no replay. */
export const batchAt = (key: Key, n: number, batchSize: number, step: number, options: BatchingOptions): Int32Array => {
  if (!Number.isSafeInteger(step) || step < 0) throw new RangeError(`batching: step must be a non-negative integer, got ${step}`)
  const steps = stepsPerEpoch(n, batchSize, options)
  const epoch = Math.floor(step / steps)
  const s = step - epoch * steps
  // One-entry memo of the last epoch's permutation: consecutive steps reuse it (a pure cache).
  if (cached === undefined || cached.hi !== key.hi || cached.lo !== key.lo || cached.n !== n || cached.epoch !== epoch) {
    cached = { hi: key.hi, lo: key.lo, n, epoch, order: epochPermutation(key, n, epoch) }
  }
  return cached.order.slice(s * batchSize, Math.min(n, (s + 1) * batchSize))
}

/** One batch of an endless stream: the global step, its epoch and the indices. */
export interface StepBatch {
  readonly step: number
  readonly epoch: number
  readonly indices: Int32Array
}

/** The endless stream of batches from global step `startStep` on (a training loop resumes here). */
export function* batchesFrom(key: Key, n: number, batchSize: number, startStep: number, options: BatchingOptions): Generator<StepBatch> {
  if (!Number.isSafeInteger(startStep) || startStep < 0) throw new RangeError(`batching: startStep must be a non-negative integer, got ${startStep}`)
  const steps = stepsPerEpoch(n, batchSize, options)
  for (let step = startStep; ; step++) {
    const epoch = Math.floor(step / steps)
    yield { step, epoch, indices: batchAt(key, n, batchSize, step, options) }
  }
}
