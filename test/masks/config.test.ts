import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { decodeMaskSettings, defaultSettings, grid, strategyNames, multiBlockDefaults } from '@jepa-ts/masks'

const errorOf = (input: unknown, g?: ReturnType<typeof grid>): string => {
  const r = decodeMaskSettings(input, g === undefined ? {} : { grid: g })
  assert.ok(E.isLeft(r), `expected an error for ${JSON.stringify(input)}`)
  return r.left.format()
}

test('absent fields take the paper defaults, for every strategy', () => {
  for (const strategy of strategyNames) {
    const r = decodeMaskSettings({ strategy }, { grid: grid(14) })
    assert.ok(E.isRight(r))
    assert.deepEqual(r.right, defaultSettings[strategy])
  }
  assert.deepEqual(defaultSettings['multi-block'], {
    strategy: 'multi-block', nTargets: 4, targetScale: [0.15, 0.2], targetAspect: [0.75, 1.5], contextScale: [0.85, 1.0],
    contextAspect: [1, 1], minKeep: 10, allowOverlap: false, triesPerRelaxation: 20,
  })
})

test('law: every default-complete settings value decodes to itself', () => {
  fc.assert(
    fc.property(fc.constantFrom(...strategyNames), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 10 }), (strategy, nTargets, minKeep) => {
      const input = strategy.startsWith('multi-block') ? { ...defaultSettings[strategy], nTargets, minKeep } : defaultSettings[strategy]
      const r = decodeMaskSettings(input)
      return E.isRight(r) && JSON.stringify(r.right) === JSON.stringify(input)
    }),
  )
})

test('bad fields are named with what was expected', () => {
  assert.equal(errorOf({ strategy: 'multi-block', targetScale: [1.5, 2] }).split('\n')[0], 'Expecting OpenUnit at masks.targetScale.0 but instead got: 1.5')
  assert.match(errorOf({ strategy: 'multi-block', contextScale: [0, 1] }), /Expecting OpenUnit at masks\.contextScale\.0 but instead got: 0/)
  assert.match(errorOf({ strategy: 'multi-block', targetAspect: [0, 1] }), /Expecting PositiveNumber at masks\.targetAspect\.0 but instead got: 0/)
  assert.match(errorOf({ strategy: 'multi-block', contextScale: [1, 0.85] }), /Expecting Interval<OpenUnit> \(lo ≤ hi\) at masks\.contextScale but instead got: \[1,0\.85\]/)
  assert.match(errorOf({ strategy: 'multi-block', minKeep: -1 }), /Expecting NonNegativeInt at masks\.minKeep but instead got: -1/)
  assert.match(errorOf({ strategy: 'multi-block', nTargets: 0 }), /Expecting PositiveInt at masks\.nTargets but instead got: 0/)
  assert.match(errorOf({ strategy: 'random', maskRatio: 1 }), /Expecting MaskRatio at masks\.maskRatio but instead got: 1/)
  assert.match(errorOf({ strategy: 'multi-block', minkeep: 4 }), /unknown key "minkeep" at masks \(did you mean "minKeep"\?\)/)
  assert.match(errorOf({ strategy: 'rasterized', nTargets: 4 }), /unknown key "nTargets" at masks/)
  assert.match(errorOf({ strategy: 'multiblock' }), /Expecting \("multi-block" \| "multi-block-corrected" \| "rasterized" \| "block" \| "random"\) at masks\.strategy but instead got: "multiblock"/)
  assert.match(errorOf({}), /at masks\.strategy but instead got: undefined \(required key is missing\)/)
  assert.match(errorOf(7), /Expecting MaskSettings \(an object with a "strategy"\) at masks but instead got: 7/)
})

test('cross-field and grid checks name the fields and the constraint', () => {
  assert.match(
    errorOf({ strategy: 'multi-block', nTargets: 6, targetScale: [0.2, 0.3] }),
    /masks\.nTargets × masks\.targetScale\[0\] = 6 × 0\.2 = 1\.2 must stay below masks\.contextScale\[1\] = 1 when masks\.allowOverlap is false/,
  )
  assert.ok(E.isRight(decodeMaskSettings({ strategy: 'multi-block', nTargets: 6, targetScale: [0.2, 0.3], allowOverlap: true })))
  assert.match(errorOf({ strategy: 'multi-block' }, grid(7)), /masks\.minKeep \(10\) must be below the smallest target block \(6 tokens; masks\.targetScale gives 6\.\.12 on the 7×7 grid\)/)
  assert.match(errorOf({ strategy: 'multi-block-corrected', minKeep: 300 }, grid(14)), /masks\.minKeep \(300\) must be below the 196 tokens of the 14×14 grid/)
  assert.match(errorOf({ strategy: 'multi-block-corrected', contextScale: [0.05, 0.1], minKeep: 10, allowOverlap: true }, grid(14)), /masks\.contextScale \[0\.05, 0\.1\] gives context blocks of \d+\.\.\d+ tokens on the 14×14 grid; each must exceed masks\.minKeep \(10\)/)
  assert.match(errorOf({ strategy: 'block', targetScale: [0.9, 0.95] }, grid(8)), /masks\.targetScale \[0\.9, 0\.95\] allows a \d+-token target on the 8×8 grid, leaving \d+ context tokens/)
  assert.match(errorOf({ strategy: 'random', maskRatio: 0.999 }, grid(4)), /masks\.maskRatio \(0\.999\) keeps 0 of the 16 tokens/)
  assert.match(errorOf({ strategy: 'multi-block' }, grid(1, 14)), /grid: multi-block needs at least 2 rows and 2 columns/)
  const sourced = decodeMaskSettings({ strategy: 'multi-block' }, { grid: grid(7), source: 'cfg.json' })
  assert.ok(E.isLeft(sourced) && sourced.left.format().startsWith('cfg.json: masks.minKeep (10)'))
  assert.ok(E.isRight(decodeMaskSettings({ ...multiBlockDefaults, minKeep: 4 }, { grid: grid(7) })))
})
