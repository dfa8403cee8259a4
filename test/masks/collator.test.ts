import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { fold, keyOf } from '@jepa-ts/core'
import { maskCollator, rowOf, grid, multiBlockDefaults, type CollatedMasks, type Grid, type MaskSettings } from '@jepa-ts/masks'
import { batchArb, seedArb, validCaseArb } from './arbitraries.ts'

const collatorOf = (s: MaskSettings, g: Grid) => {
  const c = maskCollator(s, g)
  if (E.isLeft(c)) throw new Error(c.left.format())
  return c.right
}

const isAscendingInRange = (row: ArrayLike<number>, L: number): boolean => {
  for (let i = 0; i < row.length; i++) {
    const x = row[i]!
    if (!Number.isInteger(x) || x < 0 || x >= L) return false
    if (i > 0 && !(row[i - 1]! < x)) return false
  }
  return true
}

const rows = (m: CollatedMasks): Int32Array[][] => [
  Array.from({ length: m.batchSize }, (_, b) => rowOf(m.contextIdx, b)),
  ...m.targetIdx.map((t) => Array.from({ length: m.batchSize }, (_, b) => rowOf(t, b))),
]

test('law: every index is in [0, H·W) and every row is strictly ascending, before and after cutting', () => {
  fc.assert(
    fc.property(validCaseArb(), seedArb, batchArb, ({ settings, grid: g }, seed, B) => {
      const m = collatorOf(settings, g)(keyOf(seed), B)
      const L = g.height * g.width
      for (const group of rows(m)) for (const row of group) assert.ok(isAscendingInRange(row, L), `row ${[...row]} on ${L} tokens`)
      for (const img of m.images) for (const row of [img.context, ...img.targets]) assert.ok(isAscendingInRange(row, L))
    }),
    { numRuns: 150 },
  )
})

test('law: after cutting, rows have equal lengths: the batch minimum, keeping the lowest raster indices', () => {
  fc.assert(
    fc.property(validCaseArb(), seedArb, batchArb, ({ settings, grid: g }, seed, B) => {
      const m = collatorOf(settings, g)(keyOf(seed), B)
      const kc = Math.min(...m.countsBeforeCut.context)
      const kt = Math.min(...m.countsBeforeCut.targets.flat())
      assert.deepEqual(m.contextIdx.shape, [B, kc])
      assert.equal(m.contextIdx.data.length, B * kc)
      m.targetIdx.forEach((t) => {
        assert.deepEqual(t.shape, [B, kt])
        assert.equal(t.data.length, B * kt)
      })
      m.images.forEach((img, b) => {
        assert.equal(img.context.length, m.countsBeforeCut.context[b])
        assert.deepEqual(rowOf(m.contextIdx, b), img.context.subarray(0, kc))
        img.targets.forEach((t, j) => {
          assert.equal(t.length, m.countsBeforeCut.targets[j]![b])
          assert.deepEqual(rowOf(m.targetIdx[j]!, b), t.subarray(0, kt))
        })
      })
    }),
    { numRuns: 150 },
  )
})

test('law: context ∩ every target = ∅ unless overlap is allowed or the relaxation is reported', () => {
  fc.assert(
    fc.property(validCaseArb(), seedArb, batchArb, ({ settings, grid: g }, seed, B) => {
      const m = collatorOf(settings, g)(keyOf(seed), B)
      const allowOverlap = 'allowOverlap' in settings && settings.allowOverlap
      m.images.forEach((img, b) => {
        const context = new Set(img.context)
        const relaxed = new Set(img.relaxation?.droppedTargets ?? [])
        assert.equal(img.relaxation === undefined || img.relaxation.image === b, true)
        img.targets.forEach((t, j) => {
          if (allowOverlap || relaxed.has(j)) return
          for (const i of t) assert.ok(!context.has(i), `image ${b}: token ${i} is context and target ${j}`)
        })
      })
      assert.deepEqual(m.relaxations, m.images.flatMap((img) => (img.relaxation ? [img.relaxation] : [])))
    }),
    { numRuns: 150 },
  )
})

test('law: the context keeps more than minKeep tokens before cutting (multi-block, block)', () => {
  fc.assert(
    fc.property(validCaseArb(), seedArb, batchArb, ({ settings, grid: g }, seed, B) => {
      if (!('minKeep' in settings)) return true
      const m = collatorOf(settings, g)(keyOf(seed), B)
      return m.countsBeforeCut.context.every((n) => n > settings.minKeep)
    }),
    { numRuns: 150 },
  )
})

test('law: same key → same masks; different batch keys → different masks', () => {
  fc.assert(
    fc.property(fc.constantFrom<MaskSettings>(
      multiBlockDefaults,
      { ...multiBlockDefaults, strategy: 'multi-block-corrected' },
      { strategy: 'rasterized' },
      { strategy: 'block', targetScale: [0.6, 0.6], targetAspect: [0.75, 1.5], minKeep: 10 },
      { strategy: 'random', maskRatio: 0.75 },
    ), seedArb, fc.nat(), fc.nat(), (settings, seed, i, j) => {
      fc.pre(i !== j)
      const collate = collatorOf(settings, grid(14))
      const a = collate(fold(keyOf(seed), i), 16)
      const again = collate(fold(keyOf(seed), i), 16)
      const b = collate(fold(keyOf(seed), j), 16)
      assert.deepEqual(again.contextIdx, a.contextIdx)
      assert.deepEqual(again.targetIdx, a.targetIdx)
      const same = a.images.every((img, n) => {
        const other = b.images[n]!
        return img.context.join() === other.context.join() && img.targets.every((t, k) => t.join() === other.targets[k]!.join())
      })
      assert.ok(!same, `${settings.strategy}: batch keys ${i} and ${j} gave identical masks`)
    }),
    { numRuns: 40 },
  )
})

test('examples: shapes for the paper settings on 14×14, and errors for bad batch sizes and grids', () => {
  const m = collatorOf(multiBlockDefaults, grid(14))(keyOf(3), 8)
  assert.equal(m.targetIdx.length, 4)
  assert.equal(m.contextIdx.shape[0], 8)
  assert.equal(m.strategy, 'multi-block')
  assert.throws(() => collatorOf(multiBlockDefaults, grid(14))(keyOf(3), 0), /batchSize must be a positive integer, got 0/)
  const tiny = maskCollator(multiBlockDefaults, grid(7))
  assert.ok(E.isLeft(tiny))
  assert.match(tiny.left.format(), /masks\.minKeep \(10\) must be below the smallest target block \(\d+ tokens/)
  const flat = maskCollator({ strategy: 'rasterized' }, grid(1, 8))
  assert.ok(E.isLeft(flat) && /grid: rasterized needs at least 2 rows and 2 columns/.test(flat.left.format()))
  const r = collatorOf({ strategy: 'random', maskRatio: 0.75 }, grid(14))(keyOf(1), 3)
  assert.deepEqual(r.contextIdx.shape, [3, 49])
  assert.deepEqual(r.targetIdx.map((t) => t.shape), [[3, 147]])
  const q = collatorOf({ strategy: 'rasterized' }, grid(7))(keyOf(1), 32)
  assert.deepEqual(q.contextIdx.shape, [32, 9]) // the smallest quadrant of 7×7 is 3×3
  assert.equal(q.targetIdx.length, 3)
})
