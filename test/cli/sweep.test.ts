import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import type { CommandIo } from '../../packages/cli/src/commands/train.ts'
import { gridOf, parseSetting, recipeName, runSweep, sampleGrid, setPath, spearman } from '../../packages/cli/src/commands/sweep.ts'

const capture = (): CommandIo & { lines: string[] } => {
  const lines: string[] = []
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l) }
}

test('parseSetting splits values at top-level commas and reads JSON', () => {
  assert.deepEqual(parseSetting('model.ema=[0.99,1],[0.996,1]'), { path: ['model', 'ema'], values: [[0.99, 1], [0.996, 1]] })
  assert.deepEqual(parseSetting('model.optimizer.lr=1e-3, 2e-3'), { path: ['model', 'optimizer', 'lr'], values: [0.001, 0.002] })
  assert.deepEqual(parseSetting('model.masks.strategy=multi-block,"random"'), { path: ['model', 'masks', 'strategy'], values: ['multi-block', 'random'] })
  for (const bad of ['lr', '=1', 'a..b=1', 'a=1,', 'a b=1']) assert.throws(() => parseSetting(bad), /--set/, bad)
})

test('gridOf is the cartesian product; sampleGrid draws distinct combinations deterministically', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 70 }), fc.nat(1000), (sizes, k, seed) => {
      const axes = sizes.map((n, i) => ({ path: [`a${i}`], values: Array.from({ length: n }, (_, j) => j) }))
      const grid = gridOf(axes)
      assert.equal(grid.length, sizes.reduce((a, b) => a * b, 1))
      assert.equal(new Set(grid.map((c) => JSON.stringify(c))).size, grid.length, 'combinations are distinct')
      const sample = sampleGrid(grid, k, seed)
      assert.equal(sample.length, Math.min(k, grid.length))
      assert.equal(new Set(sample.map((c) => JSON.stringify(c))).size, sample.length, 'sampled combinations are distinct')
      assert.deepEqual(sampleGrid(grid, k, seed), sample, 'same seed, same sample')
    }),
    { numRuns: 100 },
  )
})

test('setPath replaces one field in a copy and names a path through a non-object', () => {
  const base = { model: { optimizer: { lr: 1 } }, train: { steps: 3 } }
  assert.deepEqual(setPath(base, ['model', 'optimizer', 'lr'], 2), { model: { optimizer: { lr: 2 } }, train: { steps: 3 } })
  assert.equal(base.model.optimizer.lr, 1, 'the base is not changed')
  assert.throws(() => setPath(base, ['train', 'steps', 'x'], 1), /--set train\.steps\.x: train\.steps is not an object/)
  assert.equal(recipeName([{ path: ['model', 'ema'], values: [] }, { path: ['lr'], values: [] }], [[0.99, 1], 0.002]), 'ema-0.99-1_lr-0.002')
})

test('spearman: 1 for monotone, −1 for reversed, undefined below 3 pairs', () => {
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 25, 100]), 1)
  assert.equal(spearman([1, 2, 3], [3, 2, 1]), -1)
  assert.equal(spearman([1, 2], [1, 2]), undefined)
  assert.ok(Math.abs(spearman([1, 2, 3, 4], [1, 3, 2, 4])! - 0.8) < 1e-12)
})

test('jepa sweep trains every recipe, ranks them by RankMe and shows the probes and baselines beside', async () => {
  const root = mkdtempSync(join(tmpdir(), 'jepa-cli-sweep-'))
  const base = join(root, 'base.json')
  writeFileSync(base, JSON.stringify({ family: 'linear-ae', model: { image: [32, 32, 1], width: 4 }, train: { batchSize: 16, steps: 100, checkpointEvery: 50, monitorEvery: 0, monitorImages: 32 } }))
  const out = join(root, 'out')
  const io = capture()
  const code = await runSweep(base, { set: [parseSetting('model.width=2,4,6')], budgetSteps: 2, out, backend: 'cpu', limit: 40, probeEpochs: 1 }, io)
  assert.equal(code, 0, io.lines.join('\n'))
  for (const w of [2, 4, 6]) assert.equal(JSON.parse(readFileSync(join(out, 'configs', `width-${w}.json`), 'utf8')).model.width, w)
  const md = readFileSync(join(out, 'sweep.md'), 'utf8')
  const ranked = [...md.matchAll(/^\| (\d) \| (width-\d) \| `\d` \| ([\d.]+) \| ([\d.]+)% \|/gm)]
  assert.equal(ranked.length, 3, md)
  const rankMes = ranked.map((m) => Number(m[3]))
  assert.deepEqual(rankMes, [...rankMes].sort((a, b) => b - a), 'rows are in descending RankMe')
  assert.match(md, /RankMe picks \*\*width-\d\*\*/)
  assert.match(md, /\| — \| raw pixels \|/)
  assert.match(md, /random init/)
  assert.ok(existsSync(join(out, 'sweep.svg')) && existsSync(join(out, 'sweep.png')))
  const json = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { recipes: Array<{ name: string; row: { linearTop1: number } }> }
  assert.equal(json.recipes.length, 3)
  assert.equal(existsSync(join(out, 'width-2', 'snapshots')), false, 'a sweep takes no learning-curve snapshots')
})

test('jepa sweep refuses bad input before training, naming the file and field', async () => {
  const root = mkdtempSync(join(tmpdir(), 'jepa-cli-sweep-bad-'))
  const base = join(root, 'base.json')
  writeFileSync(base, JSON.stringify({ family: 'linear-ae', model: { image: [32, 32, 1], width: 4 }, train: { batchSize: 16, steps: 100, checkpointEvery: 50, monitorEvery: 0, monitorImages: 32 } }))
  const io = capture()
  assert.equal(await runSweep(base, { set: [parseSetting('model.width=4,"wide"')], budgetSteps: 1, out: join(root, 'out'), backend: 'cpu' }, io), 2)
  assert.match(io.lines.join('\n'), /width-wide\.json: Expecting PositiveInt at model\.width but instead got: "wide"/)
  const io2 = capture()
  assert.equal(await runSweep(join(root, 'missing.json'), { set: [parseSetting('a=1')], budgetSteps: 1, out: join(root, 'out2'), backend: 'cpu' }, io2), 2)
  assert.match(io2.lines.join('\n'), /missing\.json/)
  const io3 = capture()
  assert.equal(await runSweep(base, { set: [], budgetSteps: 1, out: join(root, 'out3'), backend: 'cpu' }, io3), 2)
  assert.match(io3.lines.join('\n'), /give at least one --set/)
})
