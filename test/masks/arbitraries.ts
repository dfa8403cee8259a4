/** Shared fast-check generators for the masks tests: grids, settings of every strategy, keys. */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { checkSettings, grid, type Grid, type MaskSettings, type MultiBlockSettings } from '@jepa-ts/masks'

export const gridArb: fc.Arbitrary<Grid> = fc.record({ h: fc.integer({ min: 4, max: 16 }), w: fc.integer({ min: 4, max: 16 }) }).map(({ h, w }) => grid(h, w))

const rangeArb = (min: number, max: number): fc.Arbitrary<readonly [number, number]> =>
  fc.tuple(fc.double({ min, max, noNaN: true }), fc.double({ min, max, noNaN: true })).map(([a, b]): readonly [number, number] => (a <= b ? [a, b] : [b, a]))

export const multiBlockArb: fc.Arbitrary<MultiBlockSettings> = fc.record({
  strategy: fc.constantFrom('multi-block' as const, 'multi-block-corrected' as const),
  nTargets: fc.integer({ min: 1, max: 5 }),
  targetScale: rangeArb(0.05, 0.3),
  targetAspect: rangeArb(0.3, 3),
  contextScale: rangeArb(0.4, 1),
  contextAspect: rangeArb(0.5, 2),
  minKeep: fc.integer({ min: 0, max: 12 }),
  allowOverlap: fc.boolean(),
  triesPerRelaxation: fc.integer({ min: 1, max: 20 }),
})

export const settingsArb: fc.Arbitrary<MaskSettings> = fc.oneof(
  { arbitrary: multiBlockArb, weight: 3 },
  fc.constant({ strategy: 'rasterized' as const }),
  fc.record({ strategy: fc.constant('block' as const), targetScale: rangeArb(0.1, 0.7), targetAspect: rangeArb(0.5, 2), minKeep: fc.integer({ min: 0, max: 10 }) }),
  fc.record({ strategy: fc.constant('random' as const), maskRatio: fc.double({ min: 0.05, max: 0.95, noNaN: true }) }),
)

/** Settings paired with a grid they pass `checkSettings` on (others are filtered out). */
export const validCaseArb = (settings: fc.Arbitrary<MaskSettings> = settingsArb): fc.Arbitrary<{ settings: MaskSettings; grid: Grid }> =>
  fc.record({ settings, grid: gridArb }).filter(({ settings: s, grid: g }) => E.isRight(checkSettings(s, g)))

export const seedArb = fc.nat()
export const batchArb = fc.integer({ min: 1, max: 6 })
