import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { summaryText, type SummaryOptions } from '../../packages/cli/src/commands/summary.ts'

const base: SummaryOptions = { preset: 'tiny', image: 224, patch: 16, channels: 3, predictorDim: 384, predictorDepth: 12, batch: 1 }

test('ViT-Tiny/16 at 224: 14×14 patches and 5,486,400 encoder params (no CLS token)', () => {
  const r = summaryText(base)
  assert.ok(E.isRight(r))
  assert.match(r.right, /14×14 patches, depth 12/)
  assert.match(r.right, /total\s+\[1, 196, 192\]\s+5,486,400\s+2\.51 G/)
  // The blocks row (12 blocks of 444,864 params) and each block row, not any text containing "blocks".
  assert.match(r.right, /^blocks\s+serial\s+\[1, 196, 192\]\s+5,338,368\s+2\.45 G$/m)
  assert.equal(r.right.match(/^ {2}\d+\s+block\s+\[1, 196, 192\]\s+444,864\s+204\.31 M$/gm)?.length, 12)
  assert.match(r.right, /^total\s+\[4, 29, 192\]\s+21,442,752\s+13\.77 G$/m)
})

test('a patch that does not divide the image is named with the path and the numbers', () => {
  const r = summaryText({ ...base, image: 30, patch: 4 })
  assert.ok(E.isLeft(r))
  assert.match(r.left, /^encoder: at patch_embed: .*4.*30/)
})

test('an unknown preset is named', () => {
  const r = summaryText({ ...base, preset: 'gigantic' as SummaryOptions['preset'] })
  assert.ok(E.isLeft(r))
  assert.match(r.left, /--preset expects one of tiny, small, base, large, huge, got "gigantic"/)
})
