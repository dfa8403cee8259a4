/**
 * `jepa compare a.json b.json … [--budget-steps N | --budget-seconds S] --out dir`: trains every
 * config under the same budget (or, without a budget flag, each under its own `train.steps` /
 * `train.wallClockSeconds`) on the same data, evaluates each (trained and at its untrained
 * initialization) and raw pixels with the same probe, and writes to `dir`:
 *
 *   results.md          the table (linear top-1, kNN top-1, RankMe, collapse std, images/s, wall
 *                       time, the command that reproduces the row) and the figures below
 *   results.json        the same rows as data
 *   loss.svg            loss curves (x = step)
 *   rankme.svg          RankMe over training (the monitor's numbers, x = step)
 *   probe-vs-time.svg   linear-probe top-1 against training wall time: one curve per run through its
 *                       snapshots (`--curve`, default at 10%, 25% and 50% of the budget) and its
 *                       final checkpoint, the raw-pixel and random-init baselines as dashed lines
 *   attentive-vs-time.svg  the same for the attentive probe (when the families expose tokens)
 *   linear-top1.svg     linear-probe top-1 per method (bars)
 *   *.png               each figure rasterized by sharp
 *   <name>/             each run's directory (checkpoint, metrics.jsonl, eval.md)
 *
 * Everything is checked before any training: the budget, every config (all errors reported, each
 * naming its file and field), the output directory (writable), and that no run directory already
 * holds a checkpoint (unless `--resume`). Result files are written atomically.
 * `--resume` continues interrupted runs and keeps finished ones: a run that reached its budget and
 * was evaluated under the same settings is neither trained nor evaluated again (compare-cache.ts),
 * so a long comparison can be stopped and restarted, or extended with more seeds.
 * Exit codes: 0 done; 1 a run diverged (its last good checkpoint is evaluated and the row says so);
 * 2 bad input; 130 interrupted (the results of the finished runs are still written).
 */
import { existsSync, readFileSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import type { Command } from 'commander'
import sharp from 'sharp'
import * as E from 'fp-ts/lib/Either.js'
import { atomicWriteFile } from '@jepa-ts/core/node'
import { keyOf, stream } from '@jepa-ts/core'
import { type ChartSeries, type Claim, type CompareRow, type SeedGroup, claim, claimsTable, compareTable, lineChartSvg, seedTable, writeBarChartSvg } from '@jepa-ts/eval'
import { EVAL_DEFAULTS, evalData, rawPixelRow } from '@jepa-ts/eval/node'
import { type TrainResult, listSnapshots, parseMetrics, prepareRunDir, runPaths } from '@jepa-ts/train/node'
import { disposeState } from '@jepa-ts/train'
import { type BudgetOverride, type RunConfig, readRunConfig } from '../config.ts'
import { type FamilyRegistry, defaultFamilies } from './families.ts'
import { type CommandIo, EXIT, activateBackend, consoleIo, parsers, trainRunConfig, withInterrupt } from './train.ts'
import { evaluateCheckpoint } from './eval.ts'
import { loadSplit } from './train-dataset.ts'
import { type CompareCacheEntry, type CompareCacheKey, type CurvePoint, readCompareCache, writeCompareCache } from './compare-cache.ts'

/** Options of `jepa compare`, as commander parses them. */
export interface CompareOptions {
  readonly budgetSteps?: number
  readonly budgetSeconds?: number
  readonly out: string
  readonly data?: string
  readonly backend?: string
  /** The native backend's thread budget (`--threads`). */
  readonly threads?: number
  readonly limit?: number
  readonly probeEpochs?: number
  readonly attentiveEpochs?: number
  readonly resume?: boolean
  /** Budget fractions at which each run is snapshotted and evaluated (learning curves); [] = none. */
  readonly curve?: readonly number[]
  /** Train each config with seeds 0..n−1 (overriding train.seed) and report mean ± sd; default 1 (the config's seed). */
  readonly seeds?: number
  /** Per run name (the config's file name), a seed count that replaces `seeds` for that config. */
  readonly seedsFor?: Readonly<Record<string, number>>
}

/** The default `--curve`: snapshots at 10%, 25% and 50% of each run's budget (the final checkpoint is 100%). */
export const DEFAULT_CURVE = [0.1, 0.25, 0.5] as const

/** Parses `--curve`: comma-separated fractions in (0, 1), or `none`. */
export const parseCurve = (value: string): number[] => {
  if (value.trim() === 'none') return []
  const parts = value.split(',').map((p) => p.trim())
  const fractions = parts.map(Number)
  fractions.forEach((f, i) => {
    if (parts[i] === '' || !(f > 0 && f < 1)) throw new Error(`--curve expects fractions in (0, 1) separated by commas, or "none"; got "${parts[i]}" in "${value}"`)
  })
  return [...new Set(fractions)].sort((a, b) => a - b)
}

export type { CurvePoint } from './compare-cache.ts'

/** Parses `--seeds-for name=n,name=n`: a seed count per run name. */
export const parseSeedsFor = (value: string): Record<string, number> => {
  const entries = value.split(',').map((part) => {
    const m = /^\s*([A-Za-z0-9._-]+)\s*=\s*([1-9][0-9]*)\s*$/.exec(part)
    if (m === null) throw new Error(`--seeds-for expects name=count pairs separated by commas (the name is a config's file name without .json), e.g. ijepa=3,mae=3; got "${part}" in "${value}"`)
    return [m[1]!, Number(m[2])] as const
  })
  return Object.fromEntries(entries)
}

/** Unique run names from config file names (`ijepa`, `ijepa-2`, …). */
export const runNames = (paths: readonly string[]): string[] => {
  const seen = new Map<string, number>()
  return paths.map((p) => {
    const base = basename(p, extname(p)).replace(/[^A-Za-z0-9._-]/g, '_') || 'run'
    const n = (seen.get(base) ?? 0) + 1
    seen.set(base, n)
    return n === 1 ? base : `${base}-${n}`
  })
}

const quote = (s: string): string => (/^[A-Za-z0-9_./=:-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)

/** The command line that reproduces one row. */
export const reproduceCommand = (configPath: string, runDir: string, budget: BudgetOverride, o: CompareOptions): string => {
  const common = [...(o.data === undefined ? [] : ['--data', quote(o.data)]), ...(o.backend === undefined ? [] : ['--backend', o.backend]), ...(o.threads === undefined ? [] : ['--threads', String(o.threads)])]
  const trainArgs = ['jepa', 'train', quote(configPath), '--out', quote(runDir), ...(budget.steps === undefined ? [] : ['--steps', String(budget.steps)]), ...(budget.wallClockSeconds === undefined ? [] : ['--seconds', String(budget.wallClockSeconds)]), ...(budget.seed === undefined ? [] : ['--seed', String(budget.seed)]), ...common]
  const evalArgs = ['jepa', 'eval', quote(runDir), ...(o.limit === undefined ? [] : ['--limit', String(o.limit)]), ...(o.probeEpochs === undefined ? [] : ['--probe-epochs', String(o.probeEpochs)]), ...(o.attentiveEpochs === undefined ? [] : ['--attentive-epochs', String(o.attentiveEpochs)]), ...common]
  return `${trainArgs.join(' ')} && ${evalArgs.join(' ')}`
}

interface Planned {
  /** The config's run name (shared by its seeds). */
  readonly group: string
  readonly seed: number | undefined
  readonly name: string
  readonly configPath: string
  readonly run: RunConfig
  readonly dir: string
}

interface Trained extends Planned {
  readonly result: TrainResult | undefined
  readonly error?: string
  /** Results kept from an earlier invocation (`--resume`): neither trained nor evaluated again. */
  readonly cached?: CompareCacheEntry
}

/** How a budget reads in the notes and progress lines. */
const budgetText = (budget: BudgetOverride, run?: RunConfig): string =>
  budget.steps !== undefined ? `${budget.steps} steps`
  : budget.wallClockSeconds !== undefined ? `${budget.wallClockSeconds} s`
  : run === undefined ? "each config's own budget (train.steps / train.wallClockSeconds)"
  : [...(run.train.steps === undefined ? [] : [`${run.train.steps} steps`]), ...(run.train.wallClockSeconds === undefined ? [] : [`${run.train.wallClockSeconds} s`])].join(' or ')

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/** Checks the budget, configs, output directory and run directories; Left(lines) otherwise. */
const plan = async (configPaths: readonly string[], o: CompareOptions, registry: FamilyRegistry): Promise<E.Either<string[], { planned: Planned[]; budget: BudgetOverride }>> => {
  if (configPaths.length === 0) return E.left(['give at least one config'])
  if (o.budgetSteps !== undefined && o.budgetSeconds !== undefined) return E.left(['give at most one budget: --budget-steps N or --budget-seconds S (without either, each config trains for its own train.steps / train.wallClockSeconds)'])
  const budget: BudgetOverride = o.budgetSteps !== undefined ? { steps: o.budgetSteps } : o.budgetSeconds !== undefined ? { wallClockSeconds: o.budgetSeconds } : {}
  const errors: string[] = []
  const names = runNames(configPaths)
  const planned: Planned[] = []
  const seedsOf = (n: number | undefined): Array<number | undefined> => (n === undefined || n <= 1 ? [undefined] : Array.from({ length: n }, (_, s) => s))
  const unknown = Object.keys(o.seedsFor ?? {}).filter((n) => !names.includes(n))
  if (unknown.length > 0) errors.push(`--seeds-for names ${unknown.map((n) => `"${n}"`).join(', ')}, which is not a run of this comparison (runs: ${names.join(', ')})`)
  const anySeeds = (o.seeds ?? 1) > 1 || Object.values(o.seedsFor ?? {}).some((n) => n > 1)
  for (const [i, configPath] of configPaths.entries()) {
    const count = o.seedsFor?.[names[i]!] ?? o.seeds
    // with seeds anywhere in the comparison, every run is named by its seed (a config run once is seed 0)
    const seeds = anySeeds && (count ?? 1) <= 1 ? [0] : seedsOf(count)
    for (const seed of seeds) {
      const run = await readRunConfig(configPath, registry, seed === undefined ? budget : { ...budget, seed })
      if (E.isLeft(run)) {
        errors.push(run.left.format())
        break
      }
      const name = seed === undefined ? names[i]! : `${names[i]!}-seed${seed}`
      planned.push({ group: names[i]!, seed, name, configPath, run: run.right, dir: join(o.out, name) })
    }
  }
  if (errors.length > 0) return E.left(errors)
  try {
    prepareRunDir(o.out)
  } catch (e) {
    return E.left([messageOf(e)])
  }
  if (o.resume !== true) {
    const taken = planned.filter((p) => existsSync(runPaths(p.dir).checkpoint)).map((p) => runPaths(p.dir).checkpoint)
    if (taken.length > 0) return E.left(taken.map((c) => `${c} already exists: pass --resume to continue, or choose another --out`))
  }
  return E.right({ planned, budget })
}

const metricsOf = (dir: string): ReturnType<typeof parseMetrics> => {
  const path = runPaths(dir).metrics
  return existsSync(path) ? parseMetrics(readFileSync(path, 'utf8')) : []
}

/** The rows a bar chart shows: a random-init row only once per distinct encoder (equal scores: the same untrained encoder). */
export const barRows = (rows: readonly CompareRow[]): CompareRow[] => {
  const seen = new Set<string>()
  return rows.filter((r) => {
    if (!r.method.endsWith('(random init)')) return true
    const key = JSON.stringify([r.linearTop1, r.attentiveTop1, r.knnTop1, r.rankMe])
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/**
 * The figures of results.md: file name → caption → SVG. The probe-vs-time curves go through each
 * run's curve points (wall time, top-1) with the baselines as dashed lines: raw pixels, and each
 * distinct random init (one line when every run's random init scores the same).
 */
export const compareFigures = (
  runs: ReadonlyArray<{ readonly name: string; readonly metrics: ReturnType<typeof parseMetrics> }>,
  rows: readonly CompareRow[],
  curves: Readonly<Record<string, readonly CurvePoint[]>> = {},
  randomRows: Readonly<Record<string, CompareRow>> = {},
): ReadonlyArray<readonly [string, string, string]> => {
  const series = (field: string): ChartSeries[] => runs.map((r) => ({ name: r.name, points: r.metrics.filter((m) => typeof m[field] === 'number').map((m) => [m.step, m[field]!] as const) }))
  const pixels = rows.find((r) => r.method === 'raw pixels')
  const probeChart = (field: 'linearTop1' | 'attentiveTop1', label: string): string => {
    const curveSeries: ChartSeries[] = Object.entries(curves).map(([name, points]) => ({
      name,
      points: points.flatMap((p) => (p.wallSeconds !== undefined && p[field] !== undefined ? [[p.wallSeconds, 100 * p[field]!] as const] : [])),
    }))
    const randoms = new Map<string, string[]>()
    for (const [name, row] of Object.entries(randomRows)) {
      const v = row[field]
      if (v === undefined) continue
      const k = (100 * v).toFixed(1)
      randoms.set(k, [...(randoms.get(k) ?? []), name])
    }
    const hlines = [
      ...(pixels?.[field] === undefined ? [] : [{ name: `raw pixels ${(100 * pixels[field]!).toFixed(1)}%`, y: 100 * pixels[field]! }]),
      ...[...randoms].map(([k, names]) => ({ name: randoms.size === 1 ? `random init ${k}%` : `${names.join(', ')} init ${k}%`, y: Number(k) })),
    ]
    return lineChartSvg({ title: `${label} top-1 vs training time`, xLabel: 'training wall time (s)', yLabel: `${label} top-1 (%)`, series: curveSeries, hlines, markers: true })
  }
  const hasAttentive = rows.some((r) => r.attentiveTop1 !== undefined)
  return [
    ['loss.svg', 'Loss curves', lineChartSvg({ title: 'Training loss', xLabel: 'step', yLabel: 'loss', series: series('loss'), log: true })],
    ['rankme.svg', 'RankMe over training', lineChartSvg({ title: 'RankMe over training (monitor images)', xLabel: 'step', yLabel: 'RankMe', series: series('rankMe'), yFromZero: true })],
    ['probe-vs-time.svg', 'Linear-probe accuracy vs training time', probeChart('linearTop1', 'linear-probe')],
    ...(hasAttentive ? [['attentive-vs-time.svg', 'Attentive-probe accuracy vs training time', probeChart('attentiveTop1', 'attentive-probe')] as const] : []),
    ['linear-top1.svg', 'Linear-probe accuracy', writeBarChartSvg(barRows(rows), 'linearTop1')],
    ...(hasAttentive ? [['attentive-top1.svg', 'Attentive-probe accuracy', writeBarChartSvg(barRows(rows), 'attentiveTop1')] as const] : []),
  ]
}

/**
 * The seed sections of results.md: mean ± sd per config (trained and random init) beside raw pixels,
 * and the claims — each config against its random init and against raw pixels on the linear and
 * attentive probes and kNN — with whether each difference exceeds the spread.
 */
export const seedSections = (groups: ReadonlyMap<string, { readonly family: string; readonly trained: readonly CompareRow[]; readonly random: readonly CompareRow[] }>, pixels: CompareRow | undefined): { readonly markdown: string; readonly data: unknown } => {
  const table: SeedGroup[] = []
  const claims: Claim[] = []
  const pixelGroup: SeedGroup | undefined = pixels === undefined ? undefined : { method: 'raw pixels', rows: [pixels] }
  for (const [name, g] of groups) {
    const trained: SeedGroup = { method: `${name}: ${g.family}`, rows: g.trained }
    const random: SeedGroup = { method: `${name}: ${g.family} (random init)`, rows: g.random }
    table.push(trained, random)
    for (const metric of ['linearTop1', 'attentiveTop1', 'knnTop1'] as const) {
      const vsInit = claim(trained, random, metric)
      if (vsInit !== undefined) claims.push(vsInit)
      const vsPixels = pixelGroup === undefined ? undefined : claim(trained, pixelGroup, metric)
      if (vsPixels !== undefined) claims.push(vsPixels)
    }
  }
  if (pixelGroup !== undefined) table.push(pixelGroup)
  const markdown = ['## Across seeds (mean ± sample sd)', '', seedTable(table), '## Claims', '', 'A difference exceeds the spread when the gap between the means is larger than the two standard deviations added (not a significance test).', '', claimsTable(claims)].join('\n')
  return { markdown, data: { groups: table.map((g) => ({ method: g.method, rows: g.rows })), claims } }
}

/** The text of results.md. */
export const resultsMarkdown = (title: string, notes: readonly string[], rows: readonly CompareRow[], figures: ReadonlyArray<readonly [string, string, string]>, seedMarkdown?: string): string =>
  [
    `# ${title}`,
    '',
    ...notes.map((n) => `- ${n}`),
    ...(notes.length > 0 ? [''] : []),
    ...(seedMarkdown === undefined ? [] : [seedMarkdown, '## Every run', '']),
    compareTable(rows),
    ...figures.flatMap(([file, caption]) => [`## ${caption}`, '', `![${caption}](${file})`, '']),
  ].join('\n')

/** Runs `jepa compare` and returns its exit code. */
export const runCompare = async (configPaths: readonly string[], o: CompareOptions, io: CommandIo = consoleIo, registry: FamilyRegistry = defaultFamilies, signal?: AbortSignal): Promise<number> => {
  const planning = await plan(configPaths, o, registry)
  if (E.isLeft(planning)) {
    for (const line of planning.left) io.err(`jepa compare: ${line}`)
    return EXIT.badInput
  }
  const { planned, budget } = planning.right
  const cacheKey = (p: Planned): CompareCacheKey => ({
    steps: p.run.train.steps,
    wallClockSeconds: p.run.train.wallClockSeconds,
    seed: p.run.train.seed,
    data: o.data,
    limit: o.limit,
    probeEpochs: o.probeEpochs,
    attentiveEpochs: o.attentiveEpochs,
    curve: o.curve ?? DEFAULT_CURVE,
  })
  const backend = await activateBackend(o.backend, io, o.threads)
  if (E.isLeft(backend)) {
    io.err(`jepa compare: ${backend.left}`)
    return EXIT.badInput
  }
  const started = performance.now()
  const trained: Trained[] = []
  let interrupted = false
  for (const p of planned) {
    if (signal?.aborted === true) {
      interrupted = true
      break
    }
    const cached = o.resume === true ? readCompareCache(p.dir, runPaths(p.dir).checkpoint, cacheKey(p)) : undefined
    if (cached !== undefined) {
      io.err(`— ${p.name}: kept (trained to step ${cached.step} and evaluated under these settings: ${join(p.dir, 'compare.json')})`)
      trained.push({ ...p, result: undefined, cached })
      continue
    }
    io.err(`— ${p.name}: training ${p.run.familyName} (${budgetText(budget, p.run)})`)
    try {
      const r = await trainRunConfig(p.run, { outDir: p.dir, resume: o.resume ?? false, snapshotFractions: o.curve ?? DEFAULT_CURVE, ...(o.data === undefined ? {} : { dataPath: o.data }), ...(io.progress === undefined ? {} : { progress: io.progress() }), ...(signal === undefined ? {} : { signal }) }, io)
      if (E.isLeft(r)) {
        io.err(`jepa compare: ${p.name}: ${r.left}`)
        return EXIT.badInput
      }
      disposeState(r.right.state)
      io.err(`  ${r.right.message}`)
      trained.push({ ...p, result: r.right })
      if (r.right.outcome === 'interrupted') {
        interrupted = true
        break
      }
    } catch (e) {
      io.err(`jepa compare: ${p.name}: ${messageOf(e)}`)
      trained.push({ ...p, result: undefined, error: messageOf(e) })
    }
  }
  const rows: CompareRow[] = []
  const curves: Record<string, CurvePoint[]> = {}
  const randomRows: Record<string, CompareRow> = {}
  const groups = new Map<string, { family: string; trained: CompareRow[]; random: CompareRow[] }>()
  const notes: string[] = [
    `budget: ${budget.steps !== undefined ? `${budget.steps} steps per config` : budget.wallClockSeconds !== undefined ? `${budget.wallClockSeconds} s of wall-clock time per config` : `each config's own (${[...new Set(planned.map((p) => `${p.group} ${budgetText(budget, p.run)}`))].join(', ')})`}; backend ${backend.right}; evaluation on ${o.limit === undefined ? 'all' : `at most ${o.limit}`} train and test images, probe ${o.probeEpochs ?? EVAL_DEFAULTS.probeEpochs} epochs`,
  ]
  const record = (t: Trained, entry: CompareCacheEntry, command: string, diverged: boolean): void => {
    const { model, random, points } = entry
    curves[t.name] = [...points]
    if (random !== undefined) randomRows[t.name] = random
    const g = groups.get(t.group) ?? { family: t.run.familyName, trained: [], random: [] }
    g.trained.push(model)
    if (random !== undefined) g.random.push(random)
    groups.set(t.group, g)
    rows.push({ ...model, method: `${t.name}: ${model.method}${diverged ? ' — diverged' : ''}`, imagesPerSecond: entry.imagesPerSecond, wallSeconds: entry.wallSeconds, command })
    if (random !== undefined) rows.push({ ...random, method: `${t.name}: ${random.method}` })
  }
  for (const t of trained) {
    const checkpoint = runPaths(t.dir).checkpoint
    const command = reproduceCommand(t.configPath, t.dir, t.seed === undefined ? budget : { ...budget, seed: t.seed }, o)
    if (t.cached !== undefined) {
      record(t, t.cached, command, false)
      continue
    }
    if (t.result === undefined || !existsSync(checkpoint)) {
      rows.push({ method: `${t.name} (failed: ${t.error ?? t.result?.message ?? 'no checkpoint'})`, command })
      continue
    }
    if (t.result.outcome === 'diverged') notes.push(`${t.name}: ${t.result.message}; its row evaluates that checkpoint`)
    io.err(`— ${t.name}: evaluating`)
    const evalOptions = { ...(o.data === undefined ? {} : { data: o.data }), ...(o.limit === undefined ? {} : { limit: o.limit }), ...(o.probeEpochs === undefined ? {} : { probeEpochs: o.probeEpochs }), ...(o.attentiveEpochs === undefined ? {} : { attentiveEpochs: o.attentiveEpochs }), rawPixels: false }
    const ev = await evaluateCheckpoint(checkpoint, evalOptions, registry)
    if (E.isLeft(ev)) {
      rows.push({ method: `${t.name} (evaluation failed)`, command })
      notes.push(`${t.name}: evaluation failed: ${ev.left}`)
      continue
    }
    const [model, random] = ev.right.rows
    const records = metricsOf(t.dir)
    const wallAt = (step: number): number | undefined => records.find((m) => m.step === step)?.elapsedSeconds
    const pointOf = (step: number, row: CompareRow): CurvePoint => ({ step, wallSeconds: wallAt(step), linearTop1: row.linearTop1, attentiveTop1: row.attentiveTop1, knnTop1: row.knnTop1, rankMe: row.rankMe })
    // the random init is the run's own state at step 0 (`family.init(stream(key, 'init'))`), so the curve starts there
    const points: CurvePoint[] = random === undefined ? [] : [{ ...pointOf(0, random), wallSeconds: 0 }]
    for (const snap of await listSnapshots(t.dir)) {
      if (snap.step >= t.result.step) continue
      io.err(`— ${t.name}: evaluating the snapshot at step ${snap.step}`)
      const sv = await evaluateCheckpoint(snap.path, { ...evalOptions, randomInit: false }, registry)
      if (E.isLeft(sv)) notes.push(`${t.name}: snapshot ${snap.path}: evaluation failed: ${sv.left}`)
      else points.push(pointOf(snap.step, sv.right.rows[0]!))
    }
    points.push(pointOf(t.result.step, model!))
    // over every invocation of the run: a resumed run's own invocation may have trained few steps or none
    const seconds = t.result.trainedSeconds
    const entry: CompareCacheEntry = { step: t.result.step, model: model!, random, points, imagesPerSecond: seconds > 0 ? (t.result.step * t.run.train.batchSize) / seconds : 0, wallSeconds: seconds }
    record(t, entry, command, t.result.outcome === 'diverged')
    // only a run that reached its budget is kept for `--resume` (an interrupted one trains on)
    if (t.result.outcome === 'completed') await writeCompareCache(t.dir, checkpoint, cacheKey(t), entry)
  }
  const train = loadSplit('train', o.data)
  const test = loadSplit('test', o.data)
  if (E.isRight(train) && E.isRight(test)) {
    if (train.right.source === 'synthetic-shapes') notes.push(train.right.note)
    const data = evalData(train.right.dataset, test.right.dataset, o.limit === undefined ? {} : { limit: o.limit })
    if (E.isRight(data)) rows.push(await rawPixelRow(data.right, { ...EVAL_DEFAULTS, ...(o.limit === undefined ? {} : { limit: o.limit }), ...(o.probeEpochs === undefined ? {} : { probeEpochs: o.probeEpochs }), ...(o.attentiveEpochs === undefined ? {} : { attentiveEpochs: o.attentiveEpochs }), key: stream(keyOf(0), 'eval') }))
  }
  if (interrupted) notes.push('interrupted: only the runs that finished are shown')
  const figures = compareFigures(trained.map((t) => ({ name: t.name, metrics: metricsOf(t.dir) })), rows, curves, randomRows)
  const seconds = (performance.now() - started) / 1000
  notes.push(`total time ${seconds.toFixed(1)} s`)
  const seedSummary = planned.some((p) => p.seed !== undefined) ? seedSections(groups, rows.find((r) => r.method === 'raw pixels')) : undefined
  const markdown = resultsMarkdown(`Comparison of ${[...new Set(planned.map((p) => p.group))].join(', ')}`, notes, rows, figures, seedSummary?.markdown)
  try {
    for (const [file, , svg] of figures) {
      await atomicWriteFile(join(o.out, file), utf8(svg))
      await atomicWriteFile(join(o.out, file.replace(/\.svg$/, '.png')), await sharp(Buffer.from(svg)).png().toBuffer())
    }
    await atomicWriteFile(join(o.out, 'results.json'), utf8(`${JSON.stringify({ notes, rows, curves, ...(seedSummary === undefined ? {} : { seeds: seedSummary.data }) }, null, 2)}\n`))
    await atomicWriteFile(join(o.out, 'results.md'), utf8(markdown))
  } catch (e) {
    io.err(`jepa compare: ${messageOf(e)}`)
    return EXIT.badInput
  }
  io.out(compareTable(rows))
  io.err(`wrote ${join(o.out, 'results.md')}`)
  if (interrupted) return EXIT.interrupted
  return trained.some((t) => t.cached === undefined && (t.result?.outcome === 'diverged' || t.result === undefined)) ? EXIT.diverged : EXIT.ok
}

export const register = (program: Command): void => {
  program
    .command('compare')
    .description('train several configs under the same budget, evaluate each beside raw pixels and random init, write results.md with table and plots')
    .argument('<configs...>', 'run config JSON files')
    .requiredOption('--out <dir>', 'output directory (one sub-directory per run, results.md)')
    .option('--budget-steps <n>', 'train each config for n steps (default: each config\'s own train.steps)', parsers.positiveInt('--budget-steps'))
    .option('--budget-seconds <s>', 'train each config for s seconds of wall-clock time', parsers.positiveNumber('--budget-seconds'))
    .option('--data <dir>', 'Fashion-MNIST IDX folder, or "synthetic" for the synthetic shapes (default: Debian\'s install, else synthetic shapes)')
    .option('--backend <name>', 'auto | native | wasm | cpu | webgpu | tensorflow', 'auto')
    .option('--threads <n>', 'threads of the native backend, its pool and OpenBLAS together (default: JEPA_THREADS, else the machine\'s cores)', parsers.positiveInt('--threads'))
    .option('--limit <n>', 'evaluate on at most n train and n test images', parsers.positiveInt('--limit'))
    .option('--probe-epochs <n>', `linear-probe epochs (default ${EVAL_DEFAULTS.probeEpochs})`, parsers.positiveInt('--probe-epochs'))
    .option('--attentive-epochs <n>', `attentive-probe epochs, 0 = off (default ${EVAL_DEFAULTS.attentiveEpochs})`, parsers.nonNegativeInt('--attentive-epochs'))
    .option('--curve <fractions>', `budget fractions at which each run is snapshotted and evaluated, e.g. 0.1,0.25,0.5, or "none" (default ${DEFAULT_CURVE.join(',')})`, parseCurve)
    .option('--seeds <n>', 'train every config with seeds 0..n-1 and report mean ± sd and which differences exceed it (default: once, with the config\'s seed)', parsers.positiveInt('--seeds'))
    .option('--seeds-for <name=n,…>', 'seed counts for some configs (by file name without .json), replacing --seeds for them, e.g. ijepa=3', parseSeedsFor)
    .option('--resume', 'continue runs whose directories already hold a checkpoint; keep runs already finished and evaluated under the same settings')
    .action(async (configs: string[], options: CompareOptions) => {
      process.exitCode = await withInterrupt((signal) => runCompare(configs, options, consoleIo, defaultFamilies, signal), consoleIo)
    })
}
