import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CompareResults, compareVerdicts, mainVerdicts, meanCurves, resultsPage, winnerOf } from '../../scripts/results-doc.ts'

const row = (method: string, linear: number, attentive: number, knn: number) => ({ method, linearTop1: linear, attentiveTop1: attentive, knnTop1: knn, rankMe: 5 })
const point = (step: number, wall: number, linear: number) => ({ step, wallSeconds: wall, linearTop1: linear, attentiveTop1: linear, knnTop1: linear, rankMe: step / 100 + 1 })

/** Two families over two seeds: mae gains ≥ 5 points on every probe and beats pixels on the attentive probe; vicreg gains 3 on kNN. */
const comparison: CompareResults = {
  notes: ['budget: each config\'s own'],
  rows: [row('raw pixels', 0.8, 0.78, 0.75)],
  curves: {
    'mae-seed0': [point(0, 0, 0.5), point(100, 10, 0.7)],
    'mae-seed1': [point(0, 0, 0.6), point(100, 12, 0.8)],
    'vicreg-seed0': [point(0, 0, 0.5), point(25, 10, 0.55), point(50, 20, 0.6)],
  },
  seeds: {
    groups: [
      { method: 'mae: mae', rows: [row('mae (step 100)', 0.7, 0.8, 0.65), row('mae (step 100)', 0.72, 0.82, 0.67)] },
      { method: 'mae: mae (random init)', rows: [row('mae (random init)', 0.6, 0.7, 0.55), row('mae (random init)', 0.6, 0.7, 0.55)] },
      { method: 'vicreg: vicreg', rows: [row('vicreg (step 50)', 0.7, 0.78, 0.58), row('vicreg (step 50)', 0.7, 0.78, 0.58)] },
      { method: 'vicreg: vicreg (random init)', rows: [row('vicreg (random init)', 0.6, 0.7, 0.55), row('vicreg (random init)', 0.6, 0.7, 0.55)] },
      { method: 'raw pixels', rows: [row('raw pixels', 0.8, 0.78, 0.75)] },
    ],
    claims: [],
  },
}

test('compareVerdicts: every family ≥ 5 points over its init on every probe, and the best family against raw pixels', () => {
  const verdicts = compareVerdicts(comparison)
  const mae = verdicts.find((v) => v.question.startsWith('mae over'))!
  const vicreg = verdicts.find((v) => v.question.startsWith('vicreg over'))!
  assert.equal(mae.met, true, mae.measured)
  assert.equal(vicreg.met, false, 'kNN gains 3 points only')
  assert.match(vicreg.measured, /kNN \+3\.0 points/)
  const pixels = verdicts.at(-1)!
  assert.match(pixels.measured, /^mae, attentive: \+3\.0 points$/)
  assert.equal(pixels.met, true)
  assert.equal(winnerOf(comparison), 'mae', 'the best mean linear or attentive probe')
})

test('mainVerdicts: ≥ 10 points linear and ≥ 5 kNN over the first curve point, RankMe rising', () => {
  const main: CompareResults = { notes: [], rows: [], curves: { run: [point(0, 0, 0.5), point(100, 300, 0.59)] } }
  const [linear, knn, rankMe] = mainVerdicts(main)
  assert.deepEqual([linear!.met, knn!.met, rankMe!.met], [false, true, true], '+9 points is not +10')
  assert.equal(mainVerdicts({ notes: [], rows: [], curves: { run: [point(0, 0, 0.5), point(100, 300, 0.61)] } })[0]!.met, true)
})

test('meanCurves averages each family\'s seeds at the same steps', () => {
  const mae = meanCurves(comparison, 'linearTop1').find((c) => c.name === 'mae')!
  assert.deepEqual(mae.points.map(([x, y]) => [x, Number(y.toFixed(6))]), [[0, 55], [11, 75]])
})

test('resultsPage: a section whose runs are missing names the command that writes them; present ones are tabled', () => {
  const runs = mkdtempSync(join(tmpdir(), 'results-doc-'))
  mkdirSync(join(runs, 'results'))
  writeFileSync(join(runs, 'results', 'results.json'), JSON.stringify(comparison))
  const page = resultsPage(runs, join(runs, 'presets'))
  assert.match(page.markdown, /\*Not run yet: the main job \(`pnpm main`\)\.\*/)
  assert.match(page.markdown, /\| mae: mae \| 2 \| 71\.0 ± 1\.4% \| 81\.0 ± 1\.4% \|/)
  assert.match(page.markdown, /\| the best family against raw pixels \(linear or attentive probe\) \| mae, attentive: \+3\.0 points \| above raw pixels \| \*\*yes\*\* \|/)
  assert.deepEqual(page.figures.map(([p]) => p), [join('img', 'results', 'probe-vs-time.svg'), join('img', 'results', 'attentive-vs-time.svg')])
})

test('extrapolateSeconds solves a log-linear fit for the target, and declines a flat or falling curve', async () => {
  const { extrapolateSeconds, extrapolations } = await import('../../scripts/results-doc.ts')
  // y = 50 + 10·ln(t / 100): 50 at 100 s, 60 at 272 s, 70 at 739 s
  const curve = [[0, 40], [100, 50], [100 * Math.E, 60]] as const
  assert.ok(Math.abs(extrapolateSeconds(curve, 70)! - 100 * Math.E ** 2) < 1e-6)
  assert.equal(extrapolateSeconds([[100, 60], [200, 60]], 70), undefined, 'flat')
  assert.equal(extrapolateSeconds([[100, 60], [200, 55]], 70), undefined, 'falling')
  assert.equal(extrapolateSeconds([[0, 1], [100, 60]], 70), undefined, 'one point after t = 0')
  const lines = extrapolations(comparison)
  assert.ok(lines.some((l) => /^vicreg, linear probe, to reach raw pixels \(80\.0%\): about 5 min of training \(extrapolated, not measured; 0 min measured\)$/.test(l)), lines.join('\n'))
  assert.ok(lines.includes('mae, linear probe, to reach raw pixels (80.0%): too few curve points to extrapolate'), lines.join('\n'))
  assert.ok(!lines.some((l) => l.startsWith('mae, attentive probe, to reach raw pixels')), 'a reached target is not extrapolated')
})

test('presetSeconds puts a step at its share of the 600-s budget that train.steps stands for; meanCurves uses it over the wall clock', async () => {
  const { presetSeconds } = await import('../../scripts/results-doc.ts')
  const presets = mkdtempSync(join(tmpdir(), 'results-presets-'))
  writeFileSync(join(presets, 'mae.json'), JSON.stringify({ train: { steps: 200 } }))
  const secondsAt = presetSeconds(presets)
  assert.equal(secondsAt('mae', 100), 300)
  assert.equal(secondsAt('vicreg', 100), undefined, 'no preset: the caller falls back to the wall clock')
  const curves = meanCurves(comparison, 'linearTop1', secondsAt)
  assert.deepEqual(curves.find((c) => c.name === 'mae')!.points.map(([x]) => x), [0, 300])
  assert.deepEqual(curves.find((c) => c.name === 'vicreg')!.points.map(([x]) => x), [0, 10, 20])
})

test('whyNot states the gaps to raw pixels, what the sweeps reached, the init on the attentive probe and the late gains, all from the runs', async () => {
  const { whyNot } = await import('../../scripts/results-doc.ts')
  const sweep = {
    notes: [],
    recipes: [{ name: 'lr-a', settings: { lr: 1 }, row: row('a', 0.72, 0.74, 0.6) }, { name: 'lr-b', settings: { lr: 2 }, row: row('b', 0.79, 0.7, 0.6) }],
    baselines: [row('raw pixels', 0.78, 0.77, 0.7)],
  }
  const lines = whyNot(comparison, [['mae', sweep]])
  assert.ok(lines.includes('The comparison, linear probe: the best family (mae, mean 71.0%) is 9.0 points below raw pixels (80.0%).'), lines.join('\n'))
  assert.ok(lines.includes('The comparison, attentive probe: the best family (mae, mean 81.0%) is 3.0 points above raw pixels (78.0%).'), lines.join('\n'))
  assert.ok(lines.some((l) => l.startsWith('The recipe search, linear probe: 1 of 2 recipes (1 family, 2,000/2,000 images) beat raw pixels on the same images; the closest, mae lr-b, reached 79.0% against 78.0%.')), lines.join('\n'))
  assert.ok(lines.some((l) => l.startsWith('The recipe search, attentive probe: 0 of 2 recipes')), lines.join('\n'))
  assert.ok(lines.some((l) => l.startsWith('The untrained encoders already score 70.0% on the attentive probe, 8.0 points below raw pixels (78.0%)')), lines.join('\n'))
  assert.ok(lines.includes('Still learning at the end of the budget: the mean linear probe\'s gain from the last snapshot to the final checkpoint, vicreg +5.0 points (from 0.2 to 0.3 min).'), lines.join('\n'))
})

test('extrapolations: a fit that crosses the target inside the measured budget is called scatter, not a budget', async () => {
  const { extrapolations } = await import('../../scripts/results-doc.ts')
  // linear top-1 60, 70, 68 at 10, 20, 30 s: the log fit reaches 69% at about 22 s, the last point (68%) lies below it
  const scatter: CompareResults = {
    notes: [],
    rows: [row('raw pixels', 0.9, 0.9, 0.9)],
    curves: { 'mae-seed0': [point(0, 0, 0.5), point(10, 10, 0.6), point(20, 20, 0.7), point(30, 30, 0.68)] },
    seeds: { groups: [{ method: 'mae: mae', rows: [row('mae', 0.68, 0.68, 0.68)] }, { method: 'mae: mae (random init)', rows: [row('mae', 0.64, 0.64, 0.64)] }], claims: [] },
  }
  const lines = extrapolations(scatter)
  assert.ok(lines.some((l) => /^mae, linear probe, to reach 5 points over its random init \(69\.0%\): the fit through the curve crosses it at about 0 min, inside the 1 min measured/.test(l)), lines.join('\n'))
})
