/**
 * checkMasks: every built-in strategy passes on several grids (the relaxation count is reported), a
 * user-style strategy passes, each planted bug is reported by its law with a shrunk case, and the
 * mask-set arbitraries generate what they claim (valid sets pass, degenerate ones fail).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { type Grid, type ImageMasks, type MaskSettings, grid, multiBlockDefaults } from '@jepa-ts/masks'
import { LawViolation, type MaskStrategy, checkMasks, degenerateMasksArb, gridArb, reachableAreas, validMasksArb } from '@jepa-ts/laws'
import { areaRange } from '@jepa-ts/masks'
import { type MaskBug, oneBlockStrategy } from './user-masks.ts'

const tiny: MaskSettings = { strategy: 'multi-block-corrected', nTargets: 2, targetScale: [0.2, 0.3], targetAspect: [0.75, 1.5], contextScale: [0.85, 1], contextAspect: [1, 1], minKeep: 2, allowOverlap: false, triesPerRelaxation: 20 }

const builtins: ReadonlyArray<readonly [MaskSettings, Grid]> = [
  [multiBlockDefaults, grid(14)],
  [{ ...multiBlockDefaults, strategy: 'multi-block-corrected' }, grid(14)],
  [{ ...multiBlockDefaults, minKeep: 4, targetScale: [0.15, 0.25] }, grid(8, 10)],
  [tiny, grid(4)],
  [{ ...multiBlockDefaults, allowOverlap: true, minKeep: 2 }, grid(7)],
  [{ strategy: 'rasterized' }, grid(6, 5)],
  [{ strategy: 'block', targetScale: [0.6, 0.6], targetAspect: [0.75, 1.5], minKeep: 10 }, grid(14)],
  [{ strategy: 'random', maskRatio: 0.75 }, grid(7)],
]

for (const [settings, g] of builtins) {
  test(`checkMasks: ${settings.strategy} on ${g.height}×${g.width} obeys every law`, () => {
    const report = checkMasks(settings, g, { numRuns: 15 })
    assert.ok(report.laws.length >= 2 && report.laws.every((l) => l.runs === 15), JSON.stringify(report.laws))
    assert.ok(report.relaxations.images >= 15, `relaxations counted over the sampled images: ${JSON.stringify(report.relaxations)}`)
    if (settings.strategy === 'multi-block' && g.height === 7) assert.ok(report.relaxations.relaxed === 0, 'overlap allowed: nothing to relax')
  })
}

test('checkMasks reports relaxations: 4 targets of scale (0.2, 0.3) and minKeep 15 on a 7×7 grid relax often', () => {
  const settings: MaskSettings = { ...multiBlockDefaults, strategy: 'multi-block-corrected', targetScale: [0.2, 0.3], minKeep: 15 }
  const report = checkMasks(settings, grid(7), { numRuns: 15 })
  assert.ok(report.relaxations.relaxed > 0, JSON.stringify(report.relaxations))
})

test('reachableAreas brackets what the samplers draw and agrees with the masks package on the paper grid', () => {
  for (const rule of ['reference', 'corrected'] as const) {
    const exact = reachableAreas(rule, grid(14), [0.15, 0.2], [0.75, 1.5])
    const sampled = areaRange(rule, grid(14), [0.15, 0.2], [0.75, 1.5])
    assert.ok(exact[0] <= sampled[0] && exact[1] >= sampled[1], `${rule}: exact ${exact} vs sampled ${sampled}`)
  }
})

test('a user-style strategy passes every law', () => {
  const report = checkMasks(oneBlockStrategy(), grid(6, 5), { numRuns: 30 })
  assert.deepEqual(report.laws.map((l) => l.law), ['indices', 'disjoint', 'sizes', 'deterministic'])
})

const planted: ReadonlyArray<readonly [MaskBug, string, RegExp]> = [
  ['off-by-one-placement', 'indices', /target 0 \[.*\] holds \d+ at position \d+, outside \[0, 30\)/],
  ['duplicate-targets', 'indices', /target 0 \[.*\] holds \d+ twice/],
  ['context-not-cut', 'disjoint', /the context shares token\(s\) \[.*\] with target 0/],
  ['side-from-scale', 'sizes', /target 0 has \d+ tokens, outside the promised \[9, 9\]/],
  ['math-random', 'deterministic', /two samples with the same key give/],
]

for (const [bug, law, detail] of planted) {
  test(`checkMasks: ${bug} is reported by "${law}" with a shrunk case`, () => {
    let caught: unknown
    try {
      checkMasks(oneBlockStrategy(bug), grid(6, 5), { numRuns: 50, seed: 3 })
    } catch (e) {
      caught = e
    }
    assert.ok(caught instanceof LawViolation, `expected a LawViolation, got ${String(caught)}`)
    assert.equal(caught.law, law, caught.message)
    assert.match(caught.message, new RegExp(`^law "${law}" fails for mask strategy "one-block \\(${bug}\\)" on the 6×5 grid`))
    assert.match(caught.detail, detail)
    assert.match(caught.counterexample, /^batch key keyOf\(\d+\), batch size [1-4]$/)
  })
}

const fixed = (masks: ImageMasks): MaskStrategy => ({
  name: 'fixed',
  sample: (_k, _g, b) => Array.from({ length: b }, () => masks),
  nTargets: 1,
})

test('validMasksArb: every generated set passes the laws; degenerateMasksArb: every one fails', () => {
  fc.assert(
    fc.property(gridArb(2, 5).chain((g) => fc.tuple(fc.constant(g), validMasksArb(g, 1))), ([g, m]) => {
      checkMasks(fixed(m), g, { numRuns: 1 })
    }),
    { numRuns: 40 },
  )
  fc.assert(
    fc.property(gridArb(2, 5).chain((g) => fc.tuple(fc.constant(g), degenerateMasksArb(g, 1))), ([g, { masks, why }]) => {
      assert.throws(() => checkMasks(fixed(masks), g, { numRuns: 1 }), LawViolation, `a ${why} mask set must fail`)
    }),
    { numRuns: 40 },
  )
})

test('checkMasks rejects settings that cannot work on the grid, naming the field', () => {
  assert.throws(() => checkMasks({ strategy: 'random', maskRatio: 0.99 }, grid(3)), /maskRatio/)
})
