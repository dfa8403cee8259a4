/**
 * Our `multi-block` variant against the reference MaskCollator's statistics (DESIGN §3.3): on a 14×14
 * grid with paper settings at batch 128 the reference gave 32.5 target tokens per block and 53.5
 * context tokens per image after cutting, as means over 20 batches. Those are themselves noisy: a
 * twin of the reference (test/masks/reference/multiblock_twin.py, run over 400 batches, stats.json)
 * reproduces 32.45 / 53.55 on the reference's own first 20 seeds and gives long-run means of 33.41 /
 * 50.75, with per-batch standard deviations 2.88 / 6.87; the exact expectation of the target size
 * over the batch's uniform is 33.39, and the mean context before cutting is 81.7 (sd 4.5 per batch).
 *
 * Tolerance: 4 combined standard errors of the two means compared (ours over N = 200 batches, the
 * other's over its batch count), i.e. a false alarm about 1 time in 15 000 per comparison if the
 * samplers agree, while a real shift of one token per block in the targets or a few tokens in the
 * context would fail. The test is deterministic (fixed keys), so it cannot flake: it either passes
 * for these keys or not.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fold, keyOf } from '@jepa-ts/core'
import { maskCollator, grid, multiBlockDefaults, multiBlockSizes, type MultiBlockSettings } from '@jepa-ts/masks'
import * as E from 'fp-ts/lib/Either.js'

interface TwinRow {
  readonly grid: readonly [number, number]
  readonly batches: number
  readonly minKeep: number
  readonly targetTokensMean: number
  readonly targetTokensSd: number
  readonly contextTokensMean: number
  readonly contextTokensSd: number
  readonly contextBeforeCutMean: number
  readonly contextBeforeCutSd: number
  readonly targetTokensExpected: number
  readonly relaxedImagesPerBatch: number
}
const twin = (JSON.parse(readFileSync(new URL('./reference/stats.json', import.meta.url), 'utf8')) as { rows: TwinRow[] }).rows

const measure = (s: MultiBlockSettings, side: number, batches: number) => {
  const collate = maskCollator(s, grid(side))
  if (E.isLeft(collate)) throw new Error(collate.left.format())
  let kt = 0
  let kc = 0
  let relaxed = 0
  let before = 0
  for (let i = 0; i < batches; i++) {
    const m = collate.right(fold(keyOf(2023), i), 128)
    kt += m.targetIdx[0]!.shape[1]
    kc += m.contextIdx.shape[1]
    before += m.countsBeforeCut.context.reduce((a, b) => a + b, 0) / 128
    relaxed += m.relaxations.length
  }
  return { target: kt / batches, context: kc / batches, before: before / batches, relaxed: relaxed / batches }
}

const near = (what: string, ours: number, n: number, theirs: number, m: number, sd: number): void => {
  const tolerance = 4 * sd * Math.sqrt(1 / n + 1 / m)
  assert.ok(Math.abs(ours - theirs) <= tolerance, `${what}: ours ${ours.toFixed(2)} vs reference ${theirs.toFixed(2)}, tolerance ±${tolerance.toFixed(2)}`)
}

test('statistics: 14×14, paper settings, batch 128 — near the reference’s 32.5 target and 53.5 context tokens', () => {
  const N = 200
  const ours = measure(multiBlockDefaults, 14, N)
  const [longRun, first20] = [twin[0]!, twin[1]!]
  near('target tokens vs DESIGN 32.5 (20 batches)', ours.target, N, 32.5, 20, longRun.targetTokensSd)
  near('context tokens vs DESIGN 53.5 (20 batches)', ours.context, N, 53.5, 20, longRun.contextTokensSd)
  near('target tokens vs twin (400 batches)', ours.target, N, longRun.targetTokensMean, longRun.batches, longRun.targetTokensSd)
  near('context tokens vs twin (400 batches)', ours.context, N, longRun.contextTokensMean, longRun.batches, longRun.contextTokensSd)
  // sharper: the exact expectation of h·w over u (no sampling error on that side), and the mean context before cutting
  near('target tokens vs E[h·w]', ours.target, N, longRun.targetTokensExpected, Infinity, longRun.targetTokensSd)
  near('context before cut vs twin', ours.before, N, longRun.contextBeforeCutMean, longRun.batches, longRun.contextBeforeCutSd)
  assert.ok(Math.abs(first20.targetTokensMean - 32.5) < 0.06 && Math.abs(first20.contextTokensMean - 53.5) < 0.06, 'the twin reproduces DESIGN §3.3')
  assert.equal(ours.relaxed, 0)
})

test('statistics: 7×7 and 8×8 (minKeep 4) — context sizes and the rate of reported relaxations match the reference', () => {
  const N = 200
  const s = { ...multiBlockDefaults, minKeep: 4 }
  for (const row of twin.slice(2)) {
    const ours = measure(s, row.grid[0], N)
    near(`${row.grid[0]}×${row.grid[0]} target tokens`, ours.target, N, row.targetTokensMean, row.batches, row.targetTokensSd)
    near(`${row.grid[0]}×${row.grid[0]} context tokens`, ours.context, N, row.contextTokensMean, row.batches, row.contextTokensSd)
    near(`${row.grid[0]}×${row.grid[0]} context before cut`, ours.before, N, row.contextBeforeCutMean, row.batches, row.contextBeforeCutSd)
    // relaxed images per batch: roughly Poisson, so sd ≈ √mean (floored at 0.1 for rates near 0)
    near(`${row.grid[0]}×${row.grid[0]} relaxations per batch`, ours.relaxed, N, row.relaxedImagesPerBatch, row.batches, Math.max(0.1, Math.sqrt(row.relaxedImagesPerBatch)))
  }
})

test('statistics: the batch target size h·w has the reference’s expectation over u (20 000 batch keys)', () => {
  // Kt of a batch is h·w of its one target size, a function of the batch's uniform u only, so it can be
  // checked on many more batches than the collator test: standard error 2.88 / √20000 ≈ 0.02.
  const n = 20000
  let sum = 0
  for (let i = 0; i < n; i++) {
    const t = multiBlockSizes(fold(keyOf(77), i), grid(14), multiBlockDefaults).target
    sum += t.height * t.width
  }
  near('E[h·w] on 14×14', sum / n, n, twin[0]!.targetTokensExpected, Infinity, twin[0]!.targetTokensSd)
})
