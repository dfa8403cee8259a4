import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import type { CommandIo } from '../../packages/cli/src/commands/train.ts'
import { runCompare, runNames } from '../../packages/cli/src/commands/compare.ts'
import { barRows } from '../../packages/cli/src/commands/compare.ts'
import { lineChartSvg, logTicks, niceTicks, writeBarChartSvg } from '@jepa-ts/eval'

const dir = (): string => mkdtempSync(join(tmpdir(), 'jepa-cli-compare-'))
const capture = (): CommandIo & { lines: string[] } => {
  const lines: string[] = []
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l) }
}
const config = (width: number) => ({ family: 'linear-ae', model: { image: [32, 32, 1], width }, train: { batchSize: 16, steps: 100, checkpointEvery: 2, monitorEvery: 2, monitorImages: 32 } })
const writeConfigs = (root: string, values: Record<string, unknown>): string[] =>
  Object.entries(values).map(([name, v]) => {
    const path = join(root, `${name}.json`)
    writeFileSync(path, JSON.stringify(v))
    return path
  })

test('jepa compare trains each config under the same step budget and writes results.md, results.json and the figures', async () => {
  const root = dir()
  const configs = writeConfigs(root, { narrow: config(4), wide: config(8) })
  const out = join(root, 'out')
  const io = capture()
  assert.equal(await runCompare(configs, { budgetSteps: 3, out, backend: 'cpu', limit: 48, probeEpochs: 1 }, io), 0, `exit 0: ${io.lines.join('\n')}`)
  const md = readFileSync(join(out, 'results.md'), 'utf8')
  for (const method of ['narrow: linear-ae \\(step 3\\)', 'narrow: linear-ae \\(random init\\)', 'wide: linear-ae \\(step 3\\)', 'wide: linear-ae \\(random init\\)', 'raw pixels']) {
    // linear top-1, attentive top-1 (— : linear-ae exposes no tokens; raw pixels have them), kNN top-1
    assert.match(md, new RegExp(`\\| ${method} \\| \\d+\\.\\d% \\| (\\d+\\.\\d%|—) \\| \\d+\\.\\d% \\|`), `row ${method}`)
  }
  assert.match(md, /`jepa train .*narrow\.json --out .*narrow --steps 3 --backend cpu && jepa eval .*narrow --limit 48 --probe-epochs 1 --backend cpu`/)
  for (const f of ['loss', 'rankme', 'probe-vs-time', 'linear-top1']) {
    assert.ok(readFileSync(join(out, `${f}.svg`), 'utf8').startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), `${f}.svg is SVG`)
    assert.ok(readFileSync(join(out, `${f}.png`)).subarray(1, 4).toString() === 'PNG', `${f}.png is PNG`)
    assert.match(md, new RegExp(`\\]\\(${f}\\.svg\\)`), `results.md shows ${f}.svg`)
  }
  assert.match(readFileSync(join(out, 'loss.svg'), 'utf8'), />narrow<.*|>wide</s, 'loss curves are labelled by run')
  const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { rows: Array<{ method: string }> }
  assert.equal(json.rows.length, 5, 'two runs × (trained, random init) + raw pixels')
  const lines = readFileSync(join(out, 'narrow', 'metrics.jsonl'), 'utf8').trim().split('\n')
  assert.equal(lines.length, 3, 'the budget overrides train.steps')
  // learning curves: the default --curve 0.1,0.25,0.5 of 3 steps snapshots steps 1 (≥ 0.1 and 0.25) and 2 (≥ 0.5); step 3 is the checkpoint
  assert.ok(existsSync(join(out, 'narrow', 'snapshots', 'step-1.safetensors')) && existsSync(join(out, 'narrow', 'snapshots', 'step-2.safetensors')), 'snapshots written')
  assert.equal(existsSync(join(out, 'narrow', 'snapshots', 'step-3.safetensors')), false, 'no snapshot at the end of the budget')
  const curves = (json as unknown as { curves: Record<string, Array<{ step: number; wallSeconds: number; linearTop1: number }>> }).curves
  for (const run of ['narrow', 'wide']) {
    assert.deepEqual(curves[run]!.map((p) => p.step), [0, 1, 2, 3], `${run}'s curve points: the random init, two snapshots, the checkpoint`)
    assert.equal(curves[run]![0]!.wallSeconds, 0)
    for (const p of curves[run]!.slice(1)) assert.ok(p.wallSeconds > 0 && p.linearTop1 >= 0 && p.linearTop1 <= 1, `${run} point ${JSON.stringify(p)}`)
  }
  const probeSvg = readFileSync(join(out, 'probe-vs-time.svg'), 'utf8')
  assert.match(probeSvg, />raw pixels \d+\.\d%</, 'the raw-pixel baseline is in the legend')
  assert.match(probeSvg, /init \d+\.\d%</, 'the random-init baseline is in the legend')
  assert.equal((probeSvg.match(/stroke-dasharray/g) ?? []).length >= 4, true, 'baselines are dashed lines (plot + legend)')
})

test('jepa compare --curve none writes no snapshots; a bad --curve is refused by its parser', async () => {
  const { parseCurve } = await import('../../packages/cli/src/commands/compare.ts')
  assert.deepEqual(parseCurve('0.5,0.1,0.5'), [0.1, 0.5])
  assert.deepEqual(parseCurve('none'), [])
  for (const bad of ['0', '1', '0.2,', 'x', '-0.1']) assert.throws(() => parseCurve(bad), /--curve expects fractions in \(0, 1\)/, bad)
  const root = dir()
  const configs = writeConfigs(root, { only: config(4) })
  const out = join(root, 'out')
  const io = capture()
  assert.equal(await runCompare(configs, { budgetSteps: 2, out, backend: 'cpu', limit: 32, probeEpochs: 1, curve: [] }, io), 0, io.lines.join('\n'))
  assert.equal(existsSync(join(out, 'only', 'snapshots')), false)
})

test('jepa compare checks everything before training: budget, every config, output directory, existing checkpoints', async () => {
  const root = dir()
  const [good, bad] = writeConfigs(root, { good: config(4), bad: { ...config(4), train: { batchSize: 'x', steps: 1 } } })
  const expectBad = async (paths: string[], options: Parameters<typeof runCompare>[1], pattern: RegExp): Promise<void> => {
    const io = capture()
    assert.equal(await runCompare(paths, options, io), 2, `exit 2 for ${String(pattern)}`)
    assert.match(io.lines.join('\n'), pattern)
  }
  const out = join(root, 'out')
  await expectBad([good!], { out, backend: 'cpu', budgetSteps: 1, budgetSeconds: 1 }, /give at most one budget/)
  await expectBad([good!], { out, backend: 'cpu', budgetSteps: 1, seedsFor: { goood: 2 } }, /--seeds-for names "goood", which is not a run of this comparison \(runs: good\)/)
  await expectBad([good!, bad!], { out, backend: 'cpu', budgetSteps: 1 }, /bad\.json: Expecting PositiveInt at train\.batchSize but instead got: "x"/)
  assert.equal(existsSync(join(out, 'good')), false, 'nothing was trained')
  const file = join(root, 'a-file')
  writeFileSync(file, '')
  await expectBad([good!], { out: join(file, 'out'), backend: 'cpu', budgetSteps: 1 }, /output directory .*a-file\/out is not writable/)
  mkdirSync(join(out, 'good'), { recursive: true })
  writeFileSync(join(out, 'good', 'checkpoint.safetensors'), 'precious')
  await expectBad([good!], { out, backend: 'cpu', budgetSteps: 1 }, /good\/checkpoint\.safetensors already exists: pass --resume/)
  assert.equal(readFileSync(join(out, 'good', 'checkpoint.safetensors'), 'utf8'), 'precious', 'the existing checkpoint is untouched')
})

test('runNames gives unique, file-system-safe names', () => {
  assert.deepEqual(runNames(['a/ijepa.json', 'b/ijepa.json', 'c/my cfg.json']), ['ijepa', 'ijepa-2', 'my_cfg'])
})

test('lineChartSvg draws every finite point inside the plot area', () => {
  const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true })
  fc.assert(
    fc.property(fc.array(fc.array(fc.tuple(finite, fc.oneof(finite, fc.constant(Number.NaN))), { maxLength: 12 }), { minLength: 1, maxLength: 4 }), fc.boolean(), (series, markersOnly) => {
      const svg = lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', series: series.map((points, i) => ({ name: `s${i}`, points })), markersOnly })
      const coords = [
        ...[...svg.matchAll(/<circle cx="([-\d.]+)" cy="([-\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]),
        ...[...svg.matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]),
      ]
      for (const [x, y] of coords) {
        assert.ok(x! >= 69.9 && x! <= 530.1 && y! >= 39.9 && y! <= 350.1, `point (${x}, ${y}) inside the plot area`)
      }
      const drawable = series.reduce((n, s) => n + s.filter(([, y]) => Number.isFinite(y)).length, 0)
      assert.ok(coords.length >= Math.min(drawable, 1) || drawable === 0, 'finite points are drawn')
    }),
    { numRuns: 200 },
  )
})

test('a run that diverges is reported: exit 1, its last good checkpoint is evaluated and its row says so', async () => {
  const E = await import('fp-ts/lib/Either.js')
  const { familyEntry, familyRegistry, defaultFamilies, LinearAeConfigCodec } = await import('../../packages/cli/src/commands/families.ts')
  const { decode } = await import('@jepa-ts/core')
  const { linearAutoencoder } = await import('@jepa-ts/train')
  const diverging = familyEntry({
    name: 'nan-ae',
    description: 'linear-ae whose loss reads NaN from step 3',
    example: {},
    decode: (input, root) => decode(LinearAeConfigCodec, input, root),
    create: (c, o) => {
      const { stepDeferred: _deferred, ...inner } = linearAutoencoder({ imageDims: c.image, width: c.width, lr: c.lr, weightDecay: c.weightDecay, warmupSteps: 0, totalSteps: o.totalSteps }) // the loop prefers stepDeferred: drop it so this step runs
      return { ...inner, name: 'nan-ae', step: (s, images, key) => {
        const r = inner.step(s, images, key)
        return r.state.step >= 3 ? { state: r.state, metrics: { ...r.metrics, loss: Number.NaN } } : r
      } }
    },
  })
  assert.ok(E.isRight(diverging.build(config(4).model, 'model', { totalSteps: 4 })), 'the test family builds')
  const registry = familyRegistry([...defaultFamilies.values(), diverging])
  const root = dir()
  const configs = writeConfigs(root, { ok: config(4), bad: { ...config(4), family: 'nan-ae' } })
  const out = join(root, 'out')
  const io = capture()
  assert.equal(await runCompare(configs, { budgetSteps: 4, out, backend: 'cpu', limit: 32, probeEpochs: 1 }, io, registry), 1, `exit 1: ${io.lines.join('\n')}`)
  const md = readFileSync(join(out, 'results.md'), 'utf8')
  assert.match(md, /- bad: loss became NaN at step 3; stopped without writing a checkpoint; the last good checkpoint is .*bad\/checkpoint\.safetensors; its row evaluates that checkpoint/)
  assert.match(md, /\| bad: nan-ae \(step 2\) — diverged \| \d+\.\d% \|/)
  assert.match(md, /\| ok: linear-ae \(step 4\) \| \d+\.\d% \|/)
})

test('jepa compare --seeds 2 trains each config per seed and reports mean ± sd and the claims', async () => {
  const root = dir()
  const configs = writeConfigs(root, { only: config(4) })
  const out = join(root, 'out')
  const io = capture()
  assert.equal(await runCompare(configs, { budgetSteps: 2, out, backend: 'cpu', limit: 40, probeEpochs: 1, curve: [], seeds: 2 }, io), 0, io.lines.join('\n'))
  const md = readFileSync(join(out, 'results.md'), 'utf8')
  assert.match(md, /## Across seeds/)
  assert.match(md, /\| only: linear-ae \| 2 \| \d+\.\d ± \d+\.\d% \|/, md)
  assert.match(md, /\| only: linear-ae \(random init\) \| 2 \| /)
  assert.match(md, /\| only: linear-ae vs raw pixels \| linear top-1 \| [+-]\d+\.\d points \| 2 vs 1 \| (yes|no)/)
  assert.match(md, /jepa train .*only\.json --out .*only-seed1 --steps 2 --seed 1/)
  const seedOf = (run: string): unknown => JSON.parse(readFileSync(join(out, run, 'metrics.jsonl'), 'utf8').split('\n')[0]!).loss
  assert.notEqual(seedOf('only-seed0'), seedOf('only-seed1'), 'the two seeds train differently')
})

test('niceTicks: round steps (1, 2, 2.5, 5 × 10^k) covering the data in at most 5 intervals', () => {
  fc.assert(
    fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }), (lo, width) => {
      const hi = lo + width
      const { domain, ticks } = niceTicks(lo, hi)
      const step = ticks[1]! - ticks[0]!
      assert.ok(domain[0] <= lo + 1e-8 * step && domain[1] >= hi - 1e-8 * step, `domain ${domain} covers [${lo}, ${hi}]`)
      assert.ok(ticks.length >= 2 && ticks.length <= 6, `${ticks.length} ticks`)
      const mantissa = step / 10 ** Math.floor(Math.log10(step))
      assert.ok([1, 2, 2.5, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-6 * m), `step ${step}`)
      ticks.forEach((t, i) => assert.ok(Math.abs(t - ticks[0]! - i * step) <= 1e-9 * Math.max(1, Math.abs(t)), 'evenly spaced'))
    }),
  )
  assert.deepEqual(niceTicks(0.49, 0.81).ticks, [0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
  assert.deepEqual(niceTicks(0, 240).ticks, [0, 50, 100, 150, 200, 250])
  assert.deepEqual(logTicks(Math.log10(0.03), Math.log10(0.5)).ticks.map((t) => Number((10 ** t).toPrecision(3))), [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1])
})

test('charts never clip a label: the legend and the bar labels are as wide as the longest name', () => {
  const long = 'ijepa-main-seed2: ijepa (random init) with a long name'
  const svg = lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: long, points: [[0, 1], [1, 2]] }], hlines: [{ name: 'raw pixels 78.7%', y: 1.5 }] })
  const width = Number(/width="(\d+(?:\.\d+)?)"/.exec(svg)![1])
  const x = Number(new RegExp(`<text x="([\\d.]+)" y="[\\d.]+">${long.replace(/[()]/g, '\\$&')}<`).exec(svg)![1])
  assert.ok(x + 7 * long.length <= width, `legend text ends at ${x + 7 * long.length} of ${width}`)
  const bars = writeBarChartSvg([{ method: long, linearTop1: 0.5 }], 'linearTop1')
  const anchor = Number(/<text x="([\d.]+)" y="[\d.]+" text-anchor="end">/.exec(bars)![1])
  assert.ok(anchor - 7.5 * long.length >= 0, `the bar label starts at ${anchor - 7.5 * long.length}`)
  const rows = [{ method: 'a: ijepa (random init)', linearTop1: 0.5, knnTop1: 0.4 }, { method: 'b: ijepa (random init)', linearTop1: 0.5, knnTop1: 0.4 }, { method: 'c: mae (random init)', linearTop1: 0.6, knnTop1: 0.4 }]
  assert.deepEqual(barRows(rows).map((r) => r.method), ['a: ijepa (random init)', 'c: mae (random init)'], 'one random-init bar per distinct encoder')
})

test('jepa compare without a budget flag trains each config for its own train.steps; --seeds-for gives some configs more seeds', async () => {
  const root = dir()
  const configs = writeConfigs(root, { short: { ...config(4), train: { ...config(4).train, steps: 2 } }, long: { ...config(4), train: { ...config(4).train, steps: 3 } } })
  const out = join(root, 'out')
  const io = capture()
  assert.equal(await runCompare(configs, { out, backend: 'cpu', limit: 32, probeEpochs: 1, curve: [], seedsFor: { long: 2 } }, io), 0, io.lines.join('\n'))
  const steps = (run: string): number => JSON.parse(readFileSync(join(out, run, 'metrics.jsonl'), 'utf8').trim().split('\n').at(-1)!).step
  assert.deepEqual([steps('short-seed0'), steps('long-seed0'), steps('long-seed1')], [2, 3, 3])
  const md = readFileSync(join(out, 'results.md'), 'utf8')
  assert.match(md, /budget: each config's own \(short 2 steps, long 3 steps\)/)
  assert.match(md, /\| long: linear-ae \| 2 \| /, 'the config with --seeds-for is reported over its 2 seeds')
  assert.match(md, /\| short: linear-ae \| 1 \| /, 'the other over its one seed')
  assert.match(md, /jepa train .*long\.json --out .*long-seed1 --seed 1/, 'the reproducing command uses the config\'s own budget')
})

test('jepa compare --resume keeps runs that finished and were evaluated under the same settings, and only those', async () => {
  const { parseSeedsFor } = await import('../../packages/cli/src/commands/compare.ts')
  assert.deepEqual(parseSeedsFor('ijepa=3, mae=2'), { ijepa: 3, mae: 2 })
  for (const bad of ['ijepa', 'ijepa=0', '=3', 'ijepa=3,']) assert.throws(() => parseSeedsFor(bad), /--seeds-for expects name=count pairs/, bad)
  const root = dir()
  const configs = writeConfigs(root, { only: config(4) })
  const out = join(root, 'out')
  const options = { budgetSteps: 2, out, backend: 'cpu', limit: 32, probeEpochs: 1, curve: [0.5] } as const
  const first = capture()
  assert.equal(await runCompare(configs, options, first), 0, first.lines.join('\n'))
  const checkpoint = join(out, 'only', 'checkpoint.safetensors')
  const before = statSync(checkpoint).mtimeMs
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { rows: unknown[]; curves: unknown }
  const again = capture()
  assert.equal(await runCompare(configs, { ...options, resume: true }, again), 0, again.lines.join('\n'))
  assert.match(again.lines.join('\n'), /— only: kept \(trained to step 2 and evaluated under these settings/)
  assert.doesNotMatch(again.lines.join('\n'), /evaluating/, 'nothing is evaluated again')
  assert.equal(statSync(checkpoint).mtimeMs, before, 'nor trained again')
  const kept = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { rows: unknown[]; curves: unknown }
  assert.deepEqual(kept.rows.slice(0, 2), results.rows.slice(0, 2), 'the kept rows are the first invocation\'s')
  assert.deepEqual(kept.curves, results.curves)
  const other = capture()
  assert.equal(await runCompare(configs, { ...options, resume: true, limit: 24 }, other), 0, other.lines.join('\n'))
  assert.match(other.lines.join('\n'), /— only: evaluating/, 'another --limit evaluates afresh')
})
