import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { fold, keyOf } from '@jepa-ts/core'
import {
  blockIndices,
  blockInside,
  blockSize,
  checkSettings,
  grid,
  multiBlockBatch,
  multiBlockDefaults,
  multiBlockImage,
  multiBlockSizes,
  roundHalfEven,
  sampleImages,
  ruleOf,
  MaskSamplingError,
  type MultiBlockSettings,
} from '@jepa-ts/masks'
import { batchArb, gridArb, multiBlockArb, seedArb, validCaseArb } from './arbitraries.ts'

const corrected: MultiBlockSettings = { ...multiBlockDefaults, strategy: 'multi-block-corrected' }
const within = (x: number, [lo, hi]: readonly [number, number]): boolean => x >= lo - 1e-12 && x <= hi + 1e-12

test('law: every block lies inside the grid, and the masks are exactly its tokens', () => {
  fc.assert(
    fc.property(validCaseArb(), seedArb, batchArb, ({ settings, grid: g }, seed, B) => {
      for (const img of sampleImages(settings, g, keyOf(seed), B)) {
        if (img.blocks === undefined) continue
        const all = img.blocks.context === undefined ? img.blocks.targets : [img.blocks.context, ...img.blocks.targets]
        for (const b of all) assert.ok(blockInside(g, b), `block ${JSON.stringify(b)} outside ${g.height}×${g.width}`)
        img.blocks.targets.forEach((b, j) => assert.deepEqual(img.targets[j], blockIndices(g, b)))
        if (img.blocks.context !== undefined) {
          const inBlock = new Set(blockIndices(g, img.blocks.context))
          for (const i of img.context) assert.ok(inBlock.has(i), `context token ${i} outside its block`)
        }
      }
    }),
    { numRuns: 150 },
  )
})

test('law: block scales and aspects lie in their ranges, sized by the variant’s rule (one uniform in the reference)', () => {
  fc.assert(
    fc.property(multiBlockArb, gridArb, seedArb, (s, g, seed) => {
      const rule = ruleOf(s)
      const sizes = multiBlockSizes(keyOf(seed), g, s)
      for (const [size, scale, aspect] of [[sizes.target, s.targetScale, s.targetAspect], [sizes.context, s.contextScale, s.contextAspect]] as const) {
        assert.ok(within(size.scale, scale), `scale ${size.scale} outside [${scale}]`)
        assert.ok(within(size.aspect, aspect), `aspect ${size.aspect} outside [${aspect}]`)
        assert.deepEqual({ height: size.height, width: size.width }, blockSize(rule, g, size.scale, size.aspect))
        const keep = Math.floor(g.height * g.width * size.scale)
        const h = roundHalfEven(Math.sqrt(keep * size.aspect))
        const w = roundHalfEven(Math.sqrt(keep / size.aspect))
        if (rule === 'reference') {
          assert.equal(size.height, Math.min(h, g.height - 1))
          assert.equal(size.width, Math.min(w, g.width - 1))
          if (scale[1] - scale[0] > 1e-9 && aspect[1] - aspect[0] > 1e-9) {
            const us = (size.scale - scale[0]) / (scale[1] - scale[0])
            const ua = (size.aspect - aspect[0]) / (aspect[1] - aspect[0])
            assert.ok(Math.abs(us - ua) < 1e-9, `reference must use one uniform: ${us} vs ${ua}`)
          }
        } else {
          assert.equal(size.height, Math.max(1, Math.min(h, g.height)))
          assert.equal(size.width, Math.max(1, Math.min(w, g.width)))
        }
      }
    }),
    { numRuns: 300 },
  )
})

test('law: the reference never places a block on the last row or column; its blocks share the batch size', () => {
  fc.assert(
    fc.property(validCaseArb(multiBlockArb.map((s) => ({ ...s, strategy: 'multi-block' as const }))), seedArb, batchArb, ({ settings, grid: g }, seed, B) => {
      if (settings.strategy !== 'multi-block') return false
      const sizes = multiBlockSizes(keyOf(seed), g, settings)
      for (const img of multiBlockBatch(keyOf(seed), g, settings, B)) {
        for (const b of [img.blocks!.context!, ...img.blocks!.targets]) {
          assert.ok(b.top + b.height <= g.height - 1 && b.left + b.width <= g.width - 1, `block ${JSON.stringify(b)} reaches the edge`)
        }
        for (const b of img.blocks!.targets) assert.deepEqual([b.height, b.width], [sizes.target.height, sizes.target.width])
      }
      return true
    }),
    { numRuns: 100 },
  )
})

test('reference quirk: at paper settings on 14×14 the context block is always the top-left 13×13 square; corrected is not', () => {
  let fullGrid = 0
  for (let i = 0; i < 30; i++) {
    for (const img of multiBlockBatch(fold(keyOf(9), i), grid(14), multiBlockDefaults, 8)) {
      assert.deepEqual(img.blocks!.context, { top: 0, left: 0, height: 13, width: 13 })
    }
    for (const img of multiBlockBatch(fold(keyOf(9), i), grid(14), corrected, 8)) {
      const c = img.blocks!.context!
      if (c.height === 14 && c.width === 14) fullGrid++
    }
  }
  assert.ok(fullGrid > 0, 'the corrected variant should sometimes take the whole 14×14 grid as context block')
})

test('corrected: positions reach the last row and column; scale and aspect are drawn independently', () => {
  let lastRow = false
  let lastCol = false
  let independent = false
  for (let i = 0; i < 50; i++) {
    const key = fold(keyOf(4), i)
    for (const img of multiBlockBatch(key, grid(14), corrected, 8)) {
      for (const b of img.blocks!.targets) {
        lastRow ||= b.top + b.height === 14
        lastCol ||= b.left + b.width === 14
      }
    }
    const t = multiBlockSizes(key, grid(14), corrected).target
    independent ||= Math.abs((t.scale - 0.15) / 0.05 - (t.aspect - 0.75) / 0.75) > 0.1
  }
  assert.ok(lastRow && lastCol && independent)
})

test('sizing: Python rounding (halves to even) and the clamps of each rule', () => {
  assert.deepEqual([0.5, 1.5, 2.5, 3.5, 2.4999, 2.5001].map(roundHalfEven), [0, 2, 2, 4, 2, 3])
  // keep = ⌊100·0.25⌋ = 25; √(25·0.25) = 2.5 → 2; √(25/0.25) = 10 → clamped to 9 (reference) or kept (corrected)
  assert.deepEqual(blockSize('reference', grid(10), 0.25, 0.25), { height: 2, width: 9 })
  assert.deepEqual(blockSize('corrected', grid(10), 0.25, 0.25), { height: 2, width: 10 })
  // paper target extremes on 14×14: u = 0 → keep 29, ar 0.75 → 5×6; u → 1 → keep 39, ar 1.5 → 8×5
  assert.deepEqual(blockSize('reference', grid(14), 0.15, 0.75), { height: 5, width: 6 })
  assert.deepEqual(blockSize('reference', grid(14), 0.2, 1.5), { height: 8, width: 5 })
  assert.deepEqual(blockSize('corrected', grid(14), 0.001, 1), { height: 1, width: 1 })
})

test('relaxation on 7×7 (reference, minKeep 4): reported with the dropped targets, which are the only overlaps', () => {
  const s: MultiBlockSettings = { ...multiBlockDefaults, minKeep: 4 }
  assert.ok(E.isRight(checkSettings(s, grid(7))))
  let reported = 0
  for (let i = 0; i < 20; i++) {
    for (const img of multiBlockBatch(fold(keyOf(2), i), grid(7), s, 16)) {
      if (img.relaxation === undefined) continue
      reported++
      const dropped = img.relaxation.droppedTargets
      assert.deepEqual(dropped, Array.from({ length: dropped.length }, (_, k) => 4 - dropped.length + k), 'the last targets are dropped first')
      assert.ok(img.relaxation.attempts > 20)
      const context = new Set(img.context)
      img.targets.forEach((t, j) => {
        if (!dropped.includes(j)) for (const x of t) assert.ok(!context.has(x))
      })
      assert.ok(img.context.length > 4)
    }
  }
  assert.ok(reported > 0, 'expected some relaxations on 7×7 (the reference twin sees ~0.74 per batch of 128)')
})

test('sampling never loops forever: impossible sizes throw MaskSamplingError naming minKeep', () => {
  const sizes = multiBlockSizes(keyOf(0), grid(7), multiBlockDefaults)
  assert.throws(() => multiBlockImage(keyOf(0), grid(7), multiBlockDefaults, sizes), (e: unknown) => e instanceof MaskSamplingError && /minKeep = 10/.test(e.message))
  const tinyContext = { ...sizes, context: { height: 2, width: 2, scale: 0.1, aspect: 1 }, target: { height: 4, width: 4, scale: 0.3, aspect: 1 } }
  assert.throws(() => multiBlockImage(keyOf(0), grid(7), { ...multiBlockDefaults, minKeep: 5 }, tinyContext), /context block can never keep more than minKeep = 5/)
})
