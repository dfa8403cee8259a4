import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { keyOf } from '@jepa-ts/core'
import { randomMasking, rowOf } from '@jepa-ts/masks'

const ratioArb = fc.double({ min: 0, max: 0.99, noNaN: true })

test('law: random masking keeps exactly ⌊L·(1 − maskRatio)⌋ tokens per row', () => {
  fc.assert(
    fc.property(fc.nat(), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 300 }), ratioArb, (seed, B, L, r) => {
      const m = randomMasking(keyOf(seed), B, L, r)
      const keep = Math.floor(L * (1 - r))
      assert.deepEqual(m.idsKeep.shape, [B, keep])
      for (let b = 0; b < B; b++) {
        const removed = m.mask.data.subarray(b * L, (b + 1) * L).reduce((a, x) => a + x, 0)
        assert.equal(removed, L - keep)
      }
    }),
  )
})

test('law: idsRestore inverts idsShuffle; idsKeep is its prefix; mask = 1 exactly off the prefix', () => {
  fc.assert(
    fc.property(fc.nat(), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 200 }), ratioArb, (seed, B, L, r) => {
      const m = randomMasking(keyOf(seed), B, L, r)
      const keep = m.idsKeep.shape[1]
      for (let b = 0; b < B; b++) {
        const shuffle = rowOf(m.idsShuffle, b)
        const restore = rowOf(m.idsRestore, b)
        assert.deepEqual([...shuffle].sort((x, y) => x - y), Array.from({ length: L }, (_, i) => i), 'idsShuffle is a permutation')
        for (let i = 0; i < L; i++) {
          assert.equal(restore[shuffle[i]!], i)
          assert.equal(shuffle[restore[i]!], i)
          assert.equal(m.mask.data[b * L + shuffle[i]!], i < keep ? 0 : 1)
        }
        assert.deepEqual(rowOf(m.idsKeep, b), shuffle.subarray(0, keep))
      }
    }),
  )
})

test('law: same key → same permutation; different keys → different permutations', () => {
  fc.assert(
    fc.property(fc.nat(), fc.nat(), (a, b) => {
      fc.pre(a !== b)
      const x = randomMasking(keyOf(a), 2, 196, 0.75)
      assert.deepEqual(randomMasking(keyOf(a), 2, 196, 0.75), x)
      assert.notDeepEqual(randomMasking(keyOf(b), 2, 196, 0.75).idsShuffle, x.idsShuffle)
    }),
    { numRuns: 30 },
  )
})

test('examples: MAE defaults on 14×14, every token equally likely kept, and bad arguments', () => {
  const m = randomMasking(keyOf(0), 400, 196, 0.75)
  assert.deepEqual(m.idsKeep.shape, [400, 49])
  const kept = new Float64Array(196)
  for (const i of m.idsKeep.data) kept[i]!++
  // each token is kept with probability 1/4: 100 of 400 rows expected, sd √(400·¼·¾) ≈ 8.7; 6 sd bounds
  for (const n of kept) assert.ok(Math.abs(n - 100) < 52, `a token kept ${n} times of 400`)
  assert.throws(() => randomMasking(keyOf(0), 1, 10, 1), /maskRatio must be in \[0, 1\), got 1/)
  assert.throws(() => randomMasking(keyOf(0), 1, 0, 0.5), /length must be a positive integer, got 0/)
})
