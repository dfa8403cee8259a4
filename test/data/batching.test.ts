import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { keyOf } from '@jepa-ts/core'
import { batchAt, batchesFrom, epochPermutation, shuffledBatches, stepsPerEpoch } from '@jepa-ts/data'

const sizes = fc.record({ seed: fc.nat(), n: fc.integer({ min: 1, max: 300 }), batchSize: fc.integer({ min: 1, max: 64 }), epoch: fc.integer({ min: 0, max: 5 }) })

test('with dropLast false, each epoch holds every index exactly once', () => {
  fc.assert(fc.property(sizes, ({ seed, n, batchSize, epoch }) => {
    const batches = [...shuffledBatches(keyOf(seed), n, batchSize, { dropLast: false, epoch })]
    assert.equal(batches.length, Math.ceil(n / batchSize))
    const all = batches.flatMap((b) => [...b]).sort((a, b) => a - b)
    assert.deepEqual(all, Array.from({ length: n }, (_, i) => i))
    assert.ok(batches.slice(0, -1).every((b) => b.length === batchSize))
  }))
})

test('with dropLast true, every batch is full and no index repeats within an epoch', () => {
  fc.assert(fc.property(sizes, ({ seed, n, batchSize, epoch }) => {
    fc.pre(batchSize <= n)
    const batches = [...shuffledBatches(keyOf(seed), n, batchSize, { dropLast: true, epoch })]
    assert.equal(batches.length, Math.floor(n / batchSize))
    assert.ok(batches.every((b) => b.length === batchSize))
    const all = batches.flatMap((b) => [...b])
    return new Set(all).size === all.length && all.every((i) => i >= 0 && i < n)
  }))
})

test('same key and epoch, same order; other keys and other epochs, other orders', () => {
  fc.assert(fc.property(fc.nat(), fc.nat(), fc.integer({ min: 20, max: 200 }), (a, b, n) => {
    assert.deepEqual(epochPermutation(keyOf(a), n, 0), epochPermutation(keyOf(a), n, 0))
    assert.notDeepEqual(epochPermutation(keyOf(a), n, 0), epochPermutation(keyOf(a), n, 1))
    if (a !== b) assert.notDeepEqual(epochPermutation(keyOf(a), n, 0), epochPermutation(keyOf(b), n, 0))
  }))
})

test('batchAt(step) is the step-th batch of the iterator, across epochs (resume needs no replay)', () => {
  fc.assert(fc.property(sizes, fc.boolean(), fc.nat({ max: 50 }), ({ seed, n, batchSize, epoch }, dropLast, offset) => {
    fc.pre(!dropLast || batchSize <= n)
    const steps = stepsPerEpoch(n, batchSize, { dropLast })
    const i = offset % steps
    const iterated = [...shuffledBatches(keyOf(seed), n, batchSize, { dropLast, epoch })][i]!
    // Ask for another step first so the one-entry memo must be refreshed.
    batchAt(keyOf(seed + 1), n, batchSize, 0, { dropLast })
    assert.deepEqual(batchAt(keyOf(seed), n, batchSize, epoch * steps + i, { dropLast }), iterated)
  }))
})

test('batchesFrom(start) yields batchAt(start), batchAt(start + 1), … across epoch boundaries', () => {
  fc.assert(fc.property(sizes, fc.nat({ max: 40 }), fc.integer({ min: 1, max: 30 }), ({ seed, n, batchSize }, start, count) => {
    const steps = stepsPerEpoch(n, batchSize, { dropLast: false })
    const stream = batchesFrom(keyOf(seed), n, batchSize, start, { dropLast: false })
    for (let i = 0; i < count; i++) {
      const { value } = stream.next()
      assert.ok(value !== undefined)
      assert.equal(value.step, start + i)
      assert.equal(value.epoch, Math.floor((start + i) / steps))
      assert.deepEqual(value.indices, batchAt(keyOf(seed), n, batchSize, start + i, { dropLast: false }))
    }
  }), { numRuns: 50 })
})

test('the shuffle is uniform enough: each index lands in each position about equally often', () => {
  const n = 5
  const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0))
  const trials = 4000
  for (let e = 0; e < trials; e++) {
    const p = epochPermutation(keyOf(9), n, e)
    for (let pos = 0; pos < n; pos++) counts[p[pos]!]![pos]!++
  }
  for (const row of counts) for (const c of row) assert.ok(Math.abs(c - trials / n) < 0.1 * (trials / n), JSON.stringify(counts))
})

test('bad sizes are RangeErrors that name the argument', () => {
  assert.throws(() => stepsPerEpoch(0, 4, { dropLast: false }), /dataset size n must be a positive integer, got 0/)
  assert.throws(() => stepsPerEpoch(10, 0, { dropLast: false }), /batchSize must be a positive integer, got 0/)
  assert.throws(() => stepsPerEpoch(3, 4, { dropLast: true }), /batchSize 4 exceeds the dataset size 3/)
  assert.throws(() => batchAt(keyOf(1), 10, 2, -1, { dropLast: false }), /step must be a non-negative integer, got -1/)
  assert.throws(() => epochPermutation(keyOf(1), 10, 1.5), /epoch must be a non-negative integer/)
})
