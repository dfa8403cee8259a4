/**
 * The exported trainer's mask sampler (`packages/cli/src/export/pytorch/jepa_masks.py`) follows our
 * multi-block rules: on the Fashion preset's 8×8 grid, for both rules, every batch has ascending,
 * distinct, in-grid rows cut to one length; context and targets are disjoint unless a constraint had
 * to be dropped (rare); the reference rule never covers the last row or column; and the mean context
 * and target lengths over 400 batches are our collator's (its own random stream, so the means, not
 * the masks, are compared: within 1 token for the context, 0.5 for the targets). Needs only
 * /usr/bin/python3 (no torch).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { keyOf, fold } from '@jepa-ts/core'
import { grid, maskCollator, multiBlockDefaults } from '@jepa-ts/masks'

const sources = fileURLToPath(new URL('../../packages/cli/src/export/pytorch', import.meta.url))
const BATCHES = 400
const B = 16
const G = 8

const python = spawnSync('/usr/bin/python3', ['-c', 'print(1)'], { encoding: 'utf8' }).status === 0

const sample = (settings: object): { contexts: number[][][]; targets: number[][][][] } => {
  const script = [
    'import json, random, sys',
    `sys.path.insert(0, ${JSON.stringify(sources)})`,
    'import jepa_masks',
    'settings = json.loads(sys.argv[1])',
    'rng = random.Random(7)',
    `out = [jepa_masks.multi_block_batch(rng, (${G}, ${G}), settings, ${B}) for _ in range(${BATCHES})]`,
    'print(json.dumps({"contexts": [c for c, _ in out], "targets": [t for _, t in out]}))',
  ].join('\n')
  const r = spawnSync('/usr/bin/python3', ['-c', script, JSON.stringify(settings)], { encoding: 'utf8', maxBuffer: 1 << 28 })
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout) as { contexts: number[][][]; targets: number[][][][] }
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length

for (const strategy of ['multi-block', 'multi-block-corrected'] as const) {
  test(`jepa_masks.py "${strategy}" keeps our rules and our mean context and target lengths`, { skip: python ? false : 'no /usr/bin/python3' }, () => {
    const settings = { ...multiBlockDefaults, strategy, minKeep: 4 }
    const { contexts, targets } = sample(settings)
    let overlapping = 0
    contexts.forEach((batch, n) => {
      const rows = [...batch, ...targets[n]!.flat()]
      assert.equal(new Set(batch.map((r) => r.length)).size, 1, `batch ${n}: context rows cut to one length`)
      assert.equal(new Set(targets[n]!.flat().map((r) => r.length)).size, 1, `batch ${n}: target rows cut to one length`)
      assert.equal(targets[n]!.length, 4)
      assert.ok(batch[0]!.length > 4, `batch ${n}: more than minKeep context tokens`)
      for (const r of rows) {
        assert.ok(r.every((i, j) => Number.isInteger(i) && i >= 0 && i < G * G && (j === 0 || i > r[j - 1]!)), `batch ${n}: ascending distinct in-grid rows`)
        if (strategy === 'multi-block') assert.ok(r.every((i) => Math.floor(i / G) < G - 1 && i % G < G - 1), `batch ${n}: the reference rule never covers the last row or column`)
      }
      batch.forEach((row, b) => {
        const covered = new Set(targets[n]!.flatMap((t) => t[b]!))
        if (row.some((i) => covered.has(i))) overlapping++
      })
    })
    assert.ok(overlapping < 0.02 * BATCHES * B, `context and targets overlap in ${overlapping} of ${BATCHES * B} images (only after a dropped constraint)`)
    const collate = maskCollator(settings, grid(G))
    if (collate._tag === 'Left') throw new Error(collate.left.format())
    const ours = Array.from({ length: BATCHES }, (_, n) => collate.right(fold(keyOf(7), n), B))
    const stats = {
      kc: [mean(contexts.map((b) => b[0]!.length)), mean(ours.map((m) => m.contextIdx.shape[1]))],
      kt: [mean(targets.map((t) => t[0]![0]!.length)), mean(ours.map((m) => m.targetIdx[0]!.shape[1]))],
    }
    console.log(`${strategy}: mean context tokens ${stats.kc[0]!.toFixed(2)} (jepa-ts ${stats.kc[1]!.toFixed(2)}), target tokens ${stats.kt[0]!.toFixed(2)} (jepa-ts ${stats.kt[1]!.toFixed(2)}); ${overlapping} overlapping images`)
    assert.ok(Math.abs(stats.kc[0]! - stats.kc[1]!) <= 1, `mean context length: Python ${stats.kc[0]} vs jepa-ts ${stats.kc[1]}`)
    assert.ok(Math.abs(stats.kt[0]! - stats.kt[1]!) <= 0.5, `mean target length: Python ${stats.kt[0]} vs jepa-ts ${stats.kt[1]}`)
  })
}
