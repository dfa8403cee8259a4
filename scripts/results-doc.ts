/**
 * Writes docs/results.md (and its figures under docs/img/) from the runs `bash scripts/results.sh`
 * leaves under runs/, and prints the same page: every number on it comes from those files.
 *
 *   pnpm exec tsx scripts/results-doc.ts                 # runs/ → docs/results.md, docs/img/{main,results}/
 *   pnpm exec tsx scripts/results-doc.ts --runs R --doc D # other folders (the tests use these)
 *   pnpm exec tsx scripts/results-doc.ts --winner runs/results/results.json
 *       # prints the run name of the family with the best mean linear or attentive top-1 (results.sh
 *       # gives it a third seed)
 *
 * Inputs, each optional (a missing one becomes a line saying which command writes it):
 *   runs/main/results.json            pnpm main: one I-JEPA run with its learning curve
 *   runs/main-full/eval.json          its checkpoint on the full splits
 *   runs/main-seeds/results.json      the main preset over three seeds
 *   runs/sweep-<family>/sweep.json    the recipe search per family (scripts/sweeps.sh)
 *   runs/results/results.json         the comparison (seeds, curves)
 * The page's verdict table checks the targets of the comparison: the main job's gain over its
 * random init (≥ 10 points linear, ≥ 5 kNN, RankMe rising), every family ≥ 5 points over its random
 * init on every probe, and at least one family above raw pixels on the linear or attentive probe.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Claim, type CompareMetric, type CompareRow, type SeedGroup, claimsTable, lineChartSvg, seedTable, spreadOf } from '@jepa-ts/eval'
import { spearman } from '../packages/cli/src/commands/sweep.ts'
import type { CurvePoint } from '../packages/cli/src/commands/compare-cache.ts'

/** What `jepa compare` writes to results.json. */
export interface CompareResults {
  readonly notes: readonly string[]
  readonly rows: readonly CompareRow[]
  readonly curves: Readonly<Record<string, readonly CurvePoint[]>>
  readonly seeds?: { readonly groups: readonly SeedGroup[]; readonly claims: readonly Claim[] }
}

/** What `jepa sweep` writes to sweep.json. */
export interface SweepResults {
  readonly notes: readonly string[]
  readonly recipes: ReadonlyArray<{ readonly name: string; readonly settings: Readonly<Record<string, unknown>>; readonly row?: CompareRow }>
  readonly baselines: readonly CompareRow[]
}

/** What `jepa eval` writes to eval.json. */
export interface EvalResults {
  readonly step: number
  readonly rows: readonly CompareRow[]
}

/** The families of the comparison, in the page's order, with the names people read. */
export const FAMILIES: ReadonlyArray<readonly [string, string]> = [['ijepa', 'I-JEPA'], ['mae', 'MAE'], ['simclr', 'SimCLR'], ['vicreg', 'VICReg'], ['byol', 'BYOL'], ['barlow', 'Barlow Twins'], ['simsiam', 'SimSiam']]
const PROBES = ['linearTop1', 'attentiveTop1', 'knnTop1'] as const
const PROBE_NAMES: Record<(typeof PROBES)[number], string> = { linearTop1: 'linear', attentiveTop1: 'attentive', knnTop1: 'kNN' }

const pct = (v: number | undefined): string => (v === undefined ? '—' : `${(100 * v).toFixed(1)}%`)
const points = (d: number): string => `${d >= 0 ? '+' : '−'}${Math.abs(100 * d).toFixed(1)} points`
const num = (v: number | undefined, digits = 1): string => (v === undefined ? '—' : v.toFixed(digits))
const gap = (d: number): string => `${Math.abs(100 * d).toFixed(1)} points`
const yesNo = (ok: boolean): string => (ok ? '**yes**' : 'no')

/** The trained and random-init seed groups of a comparison, by run name (`ijepa`, `mae`, …). */
export const groupsOf = (results: CompareResults): Map<string, { readonly trained: SeedGroup; readonly random: SeedGroup | undefined }> => {
  const groups = new Map<string, { trained: SeedGroup; random: SeedGroup | undefined }>()
  const all = results.seeds?.groups ?? results.rows.filter((r) => /^[^:]+: /.test(r.method)).map((r) => ({ method: r.method.replace(/ \(step \d+\)$/, ''), rows: [r] }))
  for (const g of all) {
    const m = /^([^:]+): ([^ ]+)( \(random init\))?/.exec(g.method)
    if (m === null) continue
    const name = m[1]!.replace(/-seed\d+$/, '')
    const entry = groups.get(name) ?? { trained: { method: name, rows: [] }, random: undefined }
    if (m[3] === undefined) entry.trained = { method: name, rows: [...entry.trained.rows, ...g.rows] }
    else entry.random = { method: `${name} (random init)`, rows: [...(entry.random?.rows ?? []), ...g.rows] }
    groups.set(name, entry)
  }
  return groups
}

const pixelsOf = (rows: readonly CompareRow[]): CompareRow | undefined => rows.find((r) => r.method === 'raw pixels')
const meanOf = (g: SeedGroup | undefined, metric: CompareMetric): number | undefined => (g === undefined ? undefined : spreadOf(g.rows.map((r) => r[metric]))?.mean)

/** The run name with the best mean linear or attentive top-1 (undefined when nothing was evaluated). */
export const winnerOf = (results: CompareResults): string | undefined => {
  let best: [string, number] | undefined
  for (const [name, g] of groupsOf(results)) {
    const score = Math.max(meanOf(g.trained, 'linearTop1') ?? -1, meanOf(g.trained, 'attentiveTop1') ?? -1)
    if (score >= 0 && (best === undefined || score > best[1])) best = [name, score]
  }
  return best?.[0]
}

/** One row of the verdict table. */
export interface Verdict {
  readonly question: string
  readonly measured: string
  readonly target: string
  readonly met: boolean
}

/** The main job's targets: ≥ 10 points over its init on the linear probe, ≥ 5 on kNN, RankMe rising. */
export const mainVerdicts = (main: CompareResults): Verdict[] => {
  const curve = Object.values(main.curves)[0] ?? []
  const first = curve[0]
  const last = curve.at(-1)
  if (first === undefined || last === undefined || first === last) return []
  const gain = (m: 'linearTop1' | 'knnTop1'): number => (last[m] ?? 0) - (first[m] ?? 0)
  return [
    { question: 'main job: I-JEPA over its random init, linear probe', measured: points(gain('linearTop1')), target: '≥ +10 points', met: gain('linearTop1') >= 0.1 },
    { question: 'main job: I-JEPA over its random init, kNN', measured: points(gain('knnTop1')), target: '≥ +5 points', met: gain('knnTop1') >= 0.05 },
    { question: 'main job: RankMe over the run', measured: `${num(first.rankMe)} → ${num(last.rankMe)}`, target: 'rises', met: (last.rankMe ?? 0) > (first.rankMe ?? Infinity) },
  ]
}

/** The comparison's targets: every family ≥ 5 points over its init on every probe; one family above raw pixels. */
export const compareVerdicts = (results: CompareResults): Verdict[] => {
  const pixels = pixelsOf(results.rows)
  const verdicts: Verdict[] = []
  const groups = groupsOf(results)
  for (const [name, g] of groups) {
    const gaps = PROBES.flatMap((p) => {
      const a = meanOf(g.trained, p)
      const b = meanOf(g.random, p)
      return a === undefined || b === undefined ? [] : [[p, a - b] as const]
    })
    if (gaps.length === 0) continue
    const worst = gaps.reduce((w, x) => (x[1] < w[1] ? x : w))
    verdicts.push({ question: `${name} over its random init, every probe (mean over ${g.trained.rows.length} seed(s))`, measured: gaps.map(([p, d]) => `${PROBE_NAMES[p]} ${points(d)}`).join(', '), target: '≥ +5 points on each', met: worst[1] >= 0.05 })
  }
  if (pixels !== undefined && groups.size > 0) {
    const best = [...groups].flatMap(([name, g]) => (['linearTop1', 'attentiveTop1'] as const).flatMap((p) => {
      const a = meanOf(g.trained, p)
      const b = pixels[p]
      return a === undefined || b === undefined ? [] : [{ name, p, d: a - b }]
    })).reduce<{ name: string; p: 'linearTop1' | 'attentiveTop1'; d: number } | undefined>((w, x) => (w === undefined || x.d > w.d ? x : w), undefined)
    if (best !== undefined) verdicts.push({ question: 'the best family against raw pixels (linear or attentive probe)', measured: `${best.name}, ${PROBE_NAMES[best.p]}: ${points(best.d)}`, target: 'above raw pixels', met: best.d > 0 })
  }
  return verdicts
}

/**
 * When would a curve reach `target`? A least-squares fit of y = a + b·ln(t) through the curve's
 * points after t = 0 (the snapshots and the final checkpoint), solved for y = target: seconds of
 * training, or undefined when the fit does not rise (b ≤ 0) or has fewer than two points. An
 * extrapolation, never a measurement: the page labels it so.
 */
export const extrapolateSeconds = (points: ReadonlyArray<readonly [number, number]>, target: number): number | undefined => {
  const xs = points.filter(([t]) => t > 0).map(([t, y]) => [Math.log(t), y] as const)
  if (xs.length < 2) return undefined
  const mx = xs.reduce((a, [x]) => a + x, 0) / xs.length
  const my = xs.reduce((a, [, y]) => a + y, 0) / xs.length
  const sxx = xs.reduce((a, [x]) => a + (x - mx) ** 2, 0)
  if (sxx === 0) return undefined
  const b = xs.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / sxx
  if (!(b > 0)) return undefined
  return Math.exp(mx + (target - my) / b)
}

/** For each family and probe that misses its target, the training time a log-linear fit of its mean curve says it would need. */
export const extrapolations = (results: CompareResults, secondsAt: SecondsAt = () => undefined): string[] => {
  const pixels = pixelsOf(results.rows)
  const lines: string[] = []
  for (const field of ['linearTop1', 'attentiveTop1'] as const) {
    const curves = meanCurves(results, field, secondsAt)
    for (const [name, g] of groupsOf(results)) {
      const curve = curves.find((c) => c.name === name)?.points ?? []
      const last = curve.at(-1)
      const init = meanOf(g.random, field)
      const reached = meanOf(g.trained, field)
      if (last === undefined || init === undefined || reached === undefined) continue
      const targets = [['5 points over its random init', 100 * init + 5] as const, ...(pixels?.[field] === undefined ? [] : [['raw pixels', 100 * pixels[field]!] as const])]
      for (const [what, y] of targets) {
        if (100 * reached >= y) continue
        const t = extrapolateSeconds(curve, y)
        const fitted = curve.filter(([s]) => s > 0).length >= 2
        lines.push(`${name}, ${PROBE_NAMES[field]} probe, to reach ${what} (${y.toFixed(1)}%): ${!fitted ? 'too few curve points to extrapolate' : t === undefined ? 'the curve does not rise toward it' : t <= last[0] ? `the fit through the curve crosses it at about ${(t / 60).toFixed(0)} min, inside the ${(last[0] / 60).toFixed(0)} min measured, while the measured end lies below it: a gap within the curve's scatter, not a budget` : `about ${t < 3600 ? `${(t / 60).toFixed(0)} min` : `${(t / 3600).toFixed(1)} h`} of training (extrapolated, not measured; ${(last[0] / 60).toFixed(0)} min measured)`}`)
      }
    }
  }
  return lines
}

/**
 * The evidence, from the runs themselves, for why a target was missed: how far the best family is from
 * raw pixels on each probe, how far any recipe of the sweeps got on the same probes, how close the
 * untrained encoder already is to raw pixels on the attentive probe, and how much each family's mean
 * curve still gained over the second half of its budget. Every clause is computed; none is written by hand.
 */
export const whyNot = (results: CompareResults, sweeps: ReadonlyArray<readonly [string, SweepResults]>, secondsAt: SecondsAt = () => undefined): string[] => {
  const pixels = pixelsOf(results.rows)
  const groups = [...groupsOf(results)]
  const lines: string[] = []
  for (const field of ['linearTop1', 'attentiveTop1'] as const) {
    const px = pixels?.[field]
    const best = groups.map(([name, g]) => [name, meanOf(g.trained, field)] as const).filter((x): x is readonly [string, number] => x[1] !== undefined).sort((a, b) => b[1] - a[1])[0]
    if (px === undefined || best === undefined) continue
    lines.push(`The comparison, ${PROBE_NAMES[field]} probe: the best family (${best[0]}, mean ${pct(best[1])}) is ${gap(best[1] - px)} ${best[1] >= px ? 'above' : 'below'} raw pixels (${pct(px)}).`)
  }
  const recipes = sweeps.flatMap(([family, sw]) => sw.recipes.flatMap((r) => (r.row === undefined ? [] : [{ family, name: r.name, row: r.row, pixels: pixelsOf(sw.baselines) }])))
  if (recipes.length > 0) {
    for (const field of ['linearTop1', 'attentiveTop1'] as const) {
      const scored = recipes.filter((r) => r.row[field] !== undefined && r.pixels?.[field] !== undefined)
      if (scored.length === 0) continue
      const above = scored.filter((r) => r.row[field]! > r.pixels![field]!)
      const top = scored.reduce((w, r) => (r.row[field]! - r.pixels![field]! > w.row[field]! - w.pixels![field]! ? r : w))
      lines.push(`The recipe search, ${PROBE_NAMES[field]} probe: ${above.length} of ${scored.length} recipes (${sweeps.length} ${sweeps.length === 1 ? 'family' : 'families'}, 2,000/2,000 images) beat raw pixels on the same images; the closest, ${top.family} ${top.name}, reached ${pct(top.row[field])} against ${pct(top.pixels![field])}.`)
    }
  }
  const inits = groups.flatMap(([, g]) => { const m = meanOf(g.random, 'attentiveTop1'); return m === undefined ? [] : [m] })
  const pxAtt = pixels?.attentiveTop1
  if (inits.length > 0 && pxAtt !== undefined) {
    const lo = Math.min(...inits), hi = Math.max(...inits)
    lines.push(`The untrained encoders already score ${lo === hi ? pct(lo) : `${pct(lo)}–${pct(hi)}`} on the attentive probe, ${lo === hi ? gap(pxAtt - hi) : `${(100 * (pxAtt - hi)).toFixed(1)}–${gap(pxAtt - lo)}`} below raw pixels (${pct(pxAtt)})${pxAtt - hi < 0.1 ? ': a learned query over 64 tokens of random projections of 4×4 patches recovers most of what the pixels give, so 5 points over the init on that probe asks for a trained encoder close to raw pixels' : ''}.`)
  }
  const gains = meanCurves(results, 'linearTop1', secondsAt).flatMap(({ name, points: pts }) => {
    const last = pts.at(-1)
    const mid = pts.filter(([x]) => last !== undefined && x > 0 && x < last[0]).at(-1)
    return last === undefined || mid === undefined ? [] : [`${name} ${points((last[1] - mid[1]) / 100)} (from ${(mid[0] / 60).toFixed(1)} to ${(last[0] / 60).toFixed(1)} min)`]
  })
  if (gains.length > 0) lines.push(`Still learning at the end of the budget: the mean linear probe's gain from the last snapshot to the final checkpoint, ${gains.join('; ')}.`)
  return lines
}

const verdictTable = (verdicts: readonly Verdict[]): string =>
  ['| target | measured | wanted | met? |', '| :--- | :--- | :--- | :--- |', ...verdicts.map((v) => `| ${v.question} | ${v.measured} | ${v.target} | ${yesNo(v.met)} |`)].join('\n')

/** The main job's learning-curve table (evaluated at each snapshot, then raw pixels). */
export const curveTable = (main: CompareResults): string => {
  const curve = Object.values(main.curves)[0] ?? []
  const total = curve.at(-1)?.wallSeconds
  const lines = ['| evaluated at | step | linear top-1 | attentive top-1 | kNN top-1 | RankMe |', '| :--- | ---: | ---: | ---: | ---: | ---: |']
  for (const p of curve) {
    const at = p.step === 0 ? 'random init (0 s)' : p.wallSeconds === undefined ? `step ${p.step}` : `${p.wallSeconds.toFixed(0)} s${total === undefined ? '' : ` (${((100 * p.wallSeconds) / total).toFixed(0)}%)`}`
    lines.push(`| ${at} | ${p.step} | ${pct(p.linearTop1)} | ${pct(p.attentiveTop1)} | ${pct(p.knnTop1)} | ${num(p.rankMe)} |`)
  }
  const pixels = pixelsOf(main.rows)
  if (pixels !== undefined) lines.push(`| raw pixels | — | ${pct(pixels.linearTop1)} | ${pct(pixels.attentiveTop1)} | ${pct(pixels.knnTop1)} | ${num(pixels.rankMe)} |`)
  return lines.join('\n')
}

/** A sweep as a table: recipes ranked by RankMe, the settings, the probes, and which recipe each criterion picks. */
export const sweepSection = (family: string, sweep: SweepResults, preset: Readonly<Record<string, unknown>>): string => {
  const axes = Object.keys(sweep.recipes[0]?.settings ?? {})
  const ranked = [...sweep.recipes].sort((a, b) => (b.row?.rankMe ?? -Infinity) - (a.row?.rankMe ?? -Infinity))
  const show = (v: unknown): string => (Array.isArray(v) ? v.join(' → ') : String(v))
  const isPreset = (r: (typeof ranked)[number]): boolean => axes.every((a) => JSON.stringify(r.settings[a]) === JSON.stringify(preset[a]))
  const lines = [
    `| rank (RankMe) | ${axes.join(' | ')} | RankMe | linear top-1 | attentive top-1 | kNN top-1 |`,
    `| ---: | ${axes.map(() => ':---').join(' | ')} | ---: | ---: | ---: | ---: |`,
    ...ranked.map((r, i) => `| ${i + 1}${isPreset(r) ? ' (preset)' : ''} | ${axes.map((a) => show(r.settings[a])).join(' | ')} | ${num(r.row?.rankMe)} | ${pct(r.row?.linearTop1)} | ${pct(r.row?.attentiveTop1)} | ${pct(r.row?.knnTop1)} |`),
    ...sweep.baselines.map((b) => `| ${b.method} | ${axes.map(() => '—').join(' | ')} | ${num(b.rankMe)} | ${pct(b.linearTop1)} | ${pct(b.attentiveTop1)} | ${pct(b.knnTop1)} |`),
  ]
  const pick = (metric: CompareMetric): string => {
    const best = [...sweep.recipes].filter((r) => r.row?.[metric] !== undefined).sort((a, b) => b.row![metric]! - a.row![metric]!)[0]
    return best === undefined ? '—' : axes.map((a) => `${a} ${show(best.settings[a])}`).join(', ')
  }
  // what each axis did: the mean linear top-1 at each of its values, over the other axes' values
  const effects = axes.map((a) => {
    const values = [...new Set(sweep.recipes.map((r) => JSON.stringify(r.settings[a])))]
    const means = values.map((v) => [v, spreadOf(sweep.recipes.filter((r) => JSON.stringify(r.settings[a]) === v).map((r) => r.row?.linearTop1))?.mean] as const)
    return `${a}: ${means.map(([v, m]) => `${show(JSON.parse(v))} → ${pct(m)}`).join(', ')}`
  })
  const scored = sweep.recipes.filter((r) => r.row?.rankMe !== undefined && r.row.linearTop1 !== undefined)
  const rho = spearman(scored.map((r) => r.row!.rankMe!), scored.map((r) => r.row!.linearTop1!))
  return [
    `### ${family}`,
    '',
    ...sweep.notes.map((n) => `- ${n}`),
    '',
    lines.join('\n'),
    '',
    `- RankMe picks: ${pick('rankMe')}; the linear probe picks: ${pick('linearTop1')}; the attentive probe picks: ${pick('attentiveTop1')}. Spearman (RankMe, linear top-1) over the recipes: ${rho === undefined ? '—' : rho.toFixed(2)}.`,
    `- Mean linear top-1 per value (averaged over the other axis): ${effects.join('; ')}.`,
    `- The preset (examples/runs/results/): ${axes.map((a) => `${a} ${show(preset[a])}`).join(', ')}.`,
    '',
  ].join('\n')
}

/** Seconds of training at `step` of run `name` (`ijepa`, …), or undefined to use the run's own wall clock. */
export type SecondsAt = (name: string, step: number) => number | undefined

/** The training seconds each preset's `train.steps` stand for: the comparison's 600-s budget, measured on a quiet machine. */
export const BUDGET_SECONDS = 600

/**
 * Seconds at a step from the presets: step × 600 / `train.steps` of `<presets>/<name>.json` (the steps
 * 600 s of training bought on a quiet machine, `scripts/step-rates.ts`). The runs train to a step budget,
 * so their own wall clock says how loaded the machine was; this says how long the steps take alone.
 */
export const presetSeconds = (presets: string): SecondsAt => (name, step) => {
  const steps = at(readJson<unknown>(join(presets, `${name}.json`)), 'train.steps')
  return typeof steps === 'number' && steps > 0 ? (step * BUDGET_SECONDS) / steps : undefined
}

/** Mean learning curve per run name over its seeds (curve points at the same steps); x = `secondsAt`, else the mean wall seconds. */
export const meanCurves = (results: CompareResults, field: 'linearTop1' | 'attentiveTop1', secondsAt: SecondsAt = () => undefined): Array<{ name: string; points: Array<readonly [number, number]> }> => {
  const byName = new Map<string, Array<readonly CurvePoint[]>>()
  for (const [run, curve] of Object.entries(results.curves)) {
    const name = run.replace(/-seed\d+$/, '')
    byName.set(name, [...(byName.get(name) ?? []), curve])
  }
  return [...byName].map(([name, curves]) => {
    const steps = [...new Set(curves.flatMap((c) => c.map((p) => p.step)))].sort((a, b) => a - b)
    const pts = steps.flatMap((step) => {
      const at = curves.map((c) => c.find((p) => p.step === step)).filter((p): p is CurvePoint => p !== undefined)
      const x = secondsAt(name, step) ?? spreadOf(at.map((p) => p.wallSeconds))?.mean
      const y = spreadOf(at.map((p) => p[field]))?.mean
      return x === undefined || y === undefined ? [] : [[x, 100 * y] as const]
    })
    return { name, points: pts }
  })
}

const curveFigure = (results: CompareResults, field: 'linearTop1' | 'attentiveTop1', label: string, secondsAt: SecondsAt): string => {
  const pixels = pixelsOf(results.rows)?.[field]
  const randoms = [...groupsOf(results)].flatMap(([name, g]) => {
    const m = meanOf(g.random, field)
    return m === undefined ? [] : [[name, m] as const]
  })
  const distinct = [...new Set(randoms.map(([, m]) => m.toFixed(3)))]
  return lineChartSvg({
    title: `${label} top-1 vs training time (mean over seeds)`,
    xLabel: 'training time on a quiet machine (s)',
    yLabel: `${label} top-1 (%)`,
    series: meanCurves(results, field, secondsAt),
    markers: true,
    hlines: [
      ...(pixels === undefined ? [] : [{ name: `raw pixels ${pct(pixels)}`, y: 100 * pixels }]),
      ...(distinct.length === 1 ? [{ name: `random init ${pct(randoms[0]![1])}`, y: 100 * randoms[0]![1] }] : randoms.map(([name, m]) => ({ name: `${name} init ${pct(m)}`, y: 100 * m }))),
    ],
  })
}

const readJson = <T>(path: string): T | undefined => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined)
const at = (obj: unknown, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[k] : undefined), obj)
const missing = (what: string, command: string): string => `*Not run yet: ${what} (\`${command}\`).*\n`

/** The whole page, and the figures to write beside it (path relative to the doc's folder → SVG). */
export const resultsPage = (runs: string, presets: string): { readonly markdown: string; readonly figures: ReadonlyArray<readonly [string, string]>; readonly copies: ReadonlyArray<readonly [string, string]> } => {
  const main = readJson<CompareResults>(join(runs, 'main', 'results.json'))
  const full = readJson<EvalResults>(join(runs, 'main-full', 'eval.json'))
  const seeds = readJson<CompareResults>(join(runs, 'main-seeds', 'results.json'))
  const comparison = readJson<CompareResults>(join(runs, 'results', 'results.json'))
  const figures: Array<readonly [string, string]> = []
  const copies: Array<readonly [string, string]> = []
  const out: string[] = [
    '# Results — SSL families on Fashion-MNIST at a 10-minute CPU budget',
    '',
    '<!-- Written by scripts/results-doc.ts from the runs under runs/; do not edit by hand. -->',
    '',
    'Every number on this page comes from the files `bash scripts/results.sh` writes under `runs/`',
    '(its parts: `sweeps`, `main`, `compare`, `doc`; each resumes where it stopped) and was put here by',
    '`bash scripts/results.sh doc` (`scripts/results-doc.ts`), which prints this page as it writes it.',
    'The machine: 2 cores, Node 20, the `native` backend (docs/performance.md). The earlier comparison at',
    'width 192, the masking ablation, the input standardization and the low-level probes are in',
    'docs/ablations.md.',
    '',
    '## Verdict',
    '',
  ]
  const verdicts = [...(main === undefined ? [] : mainVerdicts(main)), ...(comparison === undefined ? [] : compareVerdicts(comparison))]
  out.push(verdicts.length === 0 ? missing('nothing to judge', 'bash scripts/results.sh') : verdictTable(verdicts), '')

  out.push('## The main job: I-JEPA in five minutes', '')
  if (main === undefined) out.push(missing('the main job', 'pnpm main'))
  else {
    out.push(
      '`pnpm main` (README) runs `jepa compare examples/runs/ijepa-main.json --budget-seconds 300 --limit 2000',
      '--out runs/main`: 300 s of I-JEPA training (encoder 96 wide, 4 deep, 3 heads, patch 4; predictor 48 × 2;',
      'a schedule of the 1700 steps the budget buys on a quiet machine), evaluated at 10%, 25%, 50% and 100%',
      'of the budget on 2,000/2,000 images. It measures wall-clock time, so it is run alone.',
      '',
      // a resumed `pnpm main` notes only its own invocation's time: the run's length is in the curve table
      ...main.notes.filter((n) => !n.startsWith('total time')).map((n) => `- ${n}`),
      '',
      curveTable(main),
      '',
    )
    for (const [file, caption] of [['probe-vs-time.svg', 'Linear-probe top-1 against training time'], ['attentive-vs-time.svg', 'Attentive-probe top-1 against training time'], ['rankme.svg', 'RankMe of the monitor images over training']] as const) {
      if (!existsSync(join(runs, 'main', file))) continue
      copies.push([join(runs, 'main', file), join('img', 'main', file)])
      out.push(`![${caption}](img/main/${file})`, '')
    }
  }
  out.push('**On the full splits** (all 60,000 train and 10,000 test images; `jepa eval runs/main/ijepa-main --attentive-epochs 0 --out runs/main-full`; the attentive probe is off: 60,000 × 64 × 96 tokens are 1.5 GB per copy in float32):', '')
  if (full === undefined) out.push(missing('the full-split evaluation', 'bash scripts/results.sh main'))
  else {
    out.push('| | linear top-1 | kNN top-1 | RankMe |', '| :--- | ---: | ---: | ---: |', ...full.rows.map((r) => `| ${r.method} | ${pct(r.linearTop1)} | ${pct(r.knnTop1)} | ${num(r.rankMe)} |`), '')
  }
  out.push('**Three seeds** of the same preset at a step budget (`jepa compare examples/runs/ijepa-main.json --budget-steps 1700 --seeds 3 --curve none --limit 2000 --out runs/main-seeds`):', '')
  if (seeds?.seeds === undefined) out.push(missing('the seeds', 'bash scripts/results.sh main'))
  else out.push(seedTable(seeds.seeds.groups), '', claimsTable(seeds.seeds.claims), '')

  out.push(
    '## How the presets were chosen',
    '',
    'Every family gets the same search budget (`bash scripts/sweeps.sh`): a 2×2 grid of four recipes around',
    'its preset, each trained for the steps its family makes in about 150 s on this machine (measured with',
    '`pnpm exec tsx scripts/step-rates.ts`), evaluated on 2,000/2,000 images with a 10-epoch attentive probe,',
    'and ranked by RankMe (label-free) with the probes beside it. I-JEPA and BYOL search their EMA momentum',
    'and the lr; MAE its mask ratio and the lr; the other joint-embedding families the crop\'s minimum scale',
    'and the lr. The preset of each family is the recipe with the best linear probe unless the line under its',
    'table says otherwise; every preset shares the encoder (96 wide, 4 deep, 3 heads, patch 4) and inputs.',
    '',
  )
  const sweeps = FAMILIES.flatMap(([family, title]) => {
    const sweep = readJson<SweepResults>(join(runs, `sweep-${family}`, 'sweep.json'))
    return sweep === undefined ? [] : [[family, title, sweep] as const]
  })
  for (const [family, title, sweep] of sweeps) {
    const preset = readJson<unknown>(join(presets, `${family}.json`))
    const axes = Object.keys(sweep.recipes[0]?.settings ?? {})
    out.push(sweepSection(title, sweep, Object.fromEntries(axes.map((a) => [a, at(preset, a)]))))
  }

  out.push('## The comparison', '')
  if (comparison === undefined) out.push(missing('the comparison', 'bash scripts/results.sh compare'))
  else {
    out.push(
      'Each family\'s preset (`examples/runs/results/<family>.json`) trains for its own `train.steps`: the',
      'steps 600 s of training buy on this machine (`pnpm exec tsx scripts/step-rates.ts`), a step budget so',
      'that the result does not depend on what else the machine ran. Seeds 0 and 1 for every family, a third',
      'for I-JEPA and for the family with the best linear or attentive probe; evaluation on 5,000/5,000',
      'images (features of I-JEPA: its EMA target encoder; of the others: the online encoder). Not the full',
      'splits: the attentive probe holds every token of every image (60,000 × 64 × 96 floats are 1.5 GB per copy',
      'in float32), and every run is evaluated at three points of its curve; the main job\'s checkpoint is',
      'evaluated on the full splits (linear probe and kNN) above.',
      '',
      ...comparison.notes.map((n) => `- ${n}`),
      '',
    )
    if (comparison.seeds !== undefined) out.push(seedTable(comparison.seeds.groups), '', claimsTable(comparison.seeds.claims), '')
    const secondsAt = presetSeconds(presets)
    const missed = compareVerdicts(comparison).filter((v) => !v.met)
    const why = missed.length === 0 ? [] : whyNot(comparison, sweeps.map(([family, , sweep]) => [family, sweep] as const), secondsAt)
    if (why.length > 0) {
      out.push(
        `**Why ${missed.length} of the targets above ${missed.length === 1 ? 'was' : 'were'} not met: the evidence in these runs.**`,
        '',
        ...why.map((l) => `- ${l}`),
        '',
      )
    }
    const extrapolated = extrapolations(comparison, secondsAt)
    if (extrapolated.length > 0) {
      out.push(
        '**Targets not reached, and the budget the curves point to.** For each family and probe below its target, a',
        'least-squares fit of top-1 = a + b·ln(training seconds) through its mean curve (the snapshots at 25% and',
        '50% and the final checkpoint; the time of a step is its preset\'s 600 s ÷ `train.steps`), solved for the target.',
        'Three points and a log-linear form: a rough guide to the budget, labelled as the extrapolation it is.',
        '',
        ...extrapolated.map((l) => `- ${l}`),
        '',
      )
    }
    for (const [file, field, label] of [['probe-vs-time.svg', 'linearTop1', 'linear-probe'], ['attentive-vs-time.svg', 'attentiveTop1', 'attentive-probe']] as const) {
      if (!Object.values(comparison.curves).some((c) => c.some((p) => p[field] !== undefined))) continue
      figures.push([join('img', 'results', file), curveFigure(comparison, field, label, presetSeconds(presets))])
      out.push(`![${label} top-1 against training time, mean over seeds](img/results/${file})`, '')
    }
  }
  out.push(
    '## Setup',
    '',
    '- **Data**: Fashion-MNIST from Debian\'s `dataset-fashion-mnist` (60,000 train images, 28×28 zero-padded',
    '  to 32×32), batch 64, inputs standardized (mean 0.286, std 0.353), patch embedding initialized at std',
    '  0.139 (docs/ablations.md, "Inputs").',
    '- **Evaluation** (`jepa eval`, the same for every row): a fixed sample of train and test images; the',
    '  linear probe reads average-pooled tokens (BatchNorm without affine + a linear layer, 10 epochs); the',
    '  attentive probe reads every token (a learned query cross-attending over them, then a linear layer;',
    '  docs/eval.md); kNN: cosine, k = 20, temperature-weighted; RankMe and the collapse std on the test',
    '  features. The baselines on the same probes: raw pixels (as 4×4 patches with their position for the',
    '  attentive probe) and the same architecture untrained.',
    '- **Spread**: mean ± sample standard deviation over seeds; a difference "exceeds the spread" when the',
    '  gap between the means is larger than the two standard deviations added (not a significance test).',
    '',
  )
  return { markdown: out.join('\n'), figures, copies }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) {
  const args = process.argv.slice(2)
  const option = (name: string, fallback: string): string => {
    const i = args.indexOf(name)
    return i < 0 ? fallback : args[i + 1] ?? fallback
  }
  if (args.includes('--winner')) {
    const file = option('--winner', 'runs/results/results.json')
    const results = readJson<CompareResults>(file)
    if (results === undefined) throw new Error(`${file} does not exist: run the comparison first (bash scripts/results.sh compare)`)
    const winner = winnerOf(results)
    if (winner === undefined) throw new Error(`${file}: no evaluated family`)
    console.log(winner)
  } else {
    const runs = option('--runs', 'runs')
    const doc = option('--doc', 'docs/results.md')
    const page = resultsPage(runs, option('--presets', 'examples/runs/results'))
    const root = dirname(doc)
    for (const [path, svg] of page.figures) {
      mkdirSync(dirname(join(root, path)), { recursive: true })
      writeFileSync(join(root, path), svg)
    }
    for (const [from, to] of page.copies) {
      mkdirSync(dirname(join(root, to)), { recursive: true })
      copyFileSync(from, join(root, to))
    }
    writeFileSync(doc, page.markdown)
    console.log(page.markdown)
  }
}
