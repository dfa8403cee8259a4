/**
 * Mask sampling benchmark and small-grid statistics.
 *
 * Run: `pnpm exec tsx bench/masks.ts` (add `--quick` for fewer repetitions).
 * 1. Time to sample and collate one batch of 256 masks on a 14×14 grid for each strategy (median of
 *    repeated runs after a warm-up), as ms per batch and masks per second.
 * 2. Token counts of the two multi-block variants on 7×7, 8×8 and 14×14 grids at batch 128 (means
 *    over batches): target tokens per block and context tokens before and after the batch-minimum cut,
 *    and images per batch whose context needed a reported relaxation.
 */
import * as E from 'fp-ts/lib/Either.js'
import { fold, keyOf } from '@jepa-ts/core'
import { grid, maskCollator, multiBlockDefaults, randomMasking, type MaskSettings } from '@jepa-ts/masks'

const quick = process.argv.includes('--quick')
const reps = quick ? 10 : 40

const collatorOf = (s: MaskSettings, side: number) => {
  const c = maskCollator(s, grid(side))
  return E.isLeft(c) ? E.left(c.left.format()) : E.right(c.right)
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const time = (f: (i: number) => unknown): number => {
  for (let i = 0; i < 15; i++) f(-1 - i) // warm-up: let the JIT settle
  const ts: number[] = []
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now()
    f(i)
    ts.push(performance.now() - t0)
  }
  return median(ts)
}

const strategies: Array<[string, MaskSettings]> = [
  ['multi-block (reference)', multiBlockDefaults],
  ['multi-block-corrected', { ...multiBlockDefaults, strategy: 'multi-block-corrected' }],
  ['rasterized', { strategy: 'rasterized' }],
  ['block', { strategy: 'block', targetScale: [0.6, 0.6], targetAspect: [0.75, 1.5], minKeep: 10 }],
  ['random (collator)', { strategy: 'random', maskRatio: 0.75 }],
]

console.log(`\nSampling 256 masks on 14×14 (median of ${reps} batches, Node ${process.version})\n`)
console.log('| strategy | ms per batch of 256 | masks/s |')
console.log('|---|---:|---:|')
for (const [name, s] of strategies) {
  const c = collatorOf(s, 14)
  if (E.isLeft(c)) throw new Error(c.left)
  const ms = time((i) => c.right(fold(keyOf(1), i >>> 0), 256))
  console.log(`| ${name} | ${ms.toFixed(2)} | ${Math.round((256 * 1000) / ms).toLocaleString('en-US')} |`)
}
const mae = time((i) => randomMasking(fold(keyOf(2), i >>> 0), 256, 196, 0.75))
console.log(`| randomMasking (MAE outputs) | ${mae.toFixed(2)} | ${Math.round((256 * 1000) / mae).toLocaleString('en-US')} |`)

const batches = quick ? 50 : 200
console.log(`\nMulti-block token counts at batch 128 (means over ${batches} batches; paper settings except minKeep)\n`)
console.log('| grid | minKeep | variant | target tokens / block | context before cut | context after cut | relaxed images / batch |')
console.log('|---|---:|---|---:|---:|---:|---:|')
for (const [side, minKeep] of [[7, 4], [7, 10], [8, 4], [8, 10], [14, 4], [14, 10]] as const) {
  for (const strategy of ['multi-block', 'multi-block-corrected'] as const) {
    const c = collatorOf({ ...multiBlockDefaults, strategy, minKeep }, side)
    if (E.isLeft(c)) {
      console.log(`| ${side}×${side} | ${minKeep} | ${strategy} | rejected: ${c.left.split(':')[0]} | | | |`)
      continue
    }
    let kt = 0
    let before = 0
    let after = 0
    let relaxed = 0
    for (let i = 0; i < batches; i++) {
      const m = c.right(fold(keyOf(7), i), 128)
      kt += m.targetIdx[0]!.shape[1]
      after += m.contextIdx.shape[1]
      before += m.countsBeforeCut.context.reduce((a, b) => a + b, 0) / 128
      relaxed += m.relaxations.length
    }
    const f = (x: number) => (x / batches).toFixed(1)
    console.log(`| ${side}×${side} | ${minKeep} | ${strategy} | ${f(kt)} | ${f(before)} | ${f(after)} | ${(relaxed / batches).toFixed(2)} |`)
  }
}
