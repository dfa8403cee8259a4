/**
 * `jepa sweep base.json --set path=v1,v2 … (--budget-steps N | --budget-seconds S) --out dir`:
 * a recipe search. Every combination of the `--set` values (the grid, or `--samples K` of it drawn
 * with `--seed`) becomes a run config — the base config with those fields replaced — written to
 * `dir/configs/<name>.json`; `jepa compare` trains and evaluates them all under the same budget
 * (no learning-curve snapshots) into `dir`, and the sweep adds:
 *
 *   sweep.md     the recipes ranked by RankMe of the trained encoder's test features — a label-free
 *                criterion (Garrido et al. 2023, https://arxiv.org/abs/2210.02885) — with the linear
 *                and attentive probes and kNN beside it, the recipe each criterion picks, and the
 *                Spearman correlation between RankMe and the linear probe over the recipes
 *   sweep.json   the same as data
 *   sweep.svg    linear-probe top-1 against RankMe, one point per recipe
 *
 * `--set` takes a dotted path into the run config (`model.optimizer.lr`) and values separated by
 * top-level commas; each value is JSON when it parses as JSON (`1e-3`, `[0.99,1]`, `true`), else a
 * string. A path through something that is not an object is refused naming the path; the derived
 * configs are then decoded like any run config (unknown fields and bad values are reported naming
 * the file and the field) before anything trains.
 * Exit codes: those of `jepa compare` (0 done, 1 a run diverged, 2 bad input, 130 interrupted).
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { Command } from 'commander'
import sharp from 'sharp'
import { atomicWriteFile } from '@jepa-ts/core/node'
import { keyOf, uniform64 } from '@jepa-ts/core'
import { type CompareRow, lineChartSvg } from '@jepa-ts/eval'
import { type CompareOptions, runCompare, runNames } from './compare.ts'
import { type FamilyRegistry, defaultFamilies } from './families.ts'
import { absoluteFamilyPath } from '../family-module.ts'
import { type CommandIo, EXIT, consoleIo, parsers, withInterrupt } from './train.ts'

/** One `--set`: a dotted path and the values it takes. */
export interface SweepAxis {
  readonly path: readonly string[]
  readonly values: readonly unknown[]
}

/** Splits on commas that are not inside brackets, braces or quotes. */
const splitTopLevel = (text: string): string[] => {
  const parts: string[] = []
  let depth = 0
  let quoted = false
  let current = ''
  for (const ch of text) {
    if (ch === '"') quoted = !quoted
    if (!quoted && (ch === '[' || ch === '{')) depth++
    if (!quoted && (ch === ']' || ch === '}')) depth--
    if (ch === ',' && depth === 0 && !quoted) {
      parts.push(current)
      current = ''
    } else current += ch
  }
  parts.push(current)
  return parts.map((p) => p.trim())
}

const valueOf = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/** Parses one `--set path=v1,v2`; throws an Error naming the flag's text when malformed. */
export const parseSetting = (text: string): SweepAxis => {
  const eq = text.indexOf('=')
  const path = eq < 0 ? '' : text.slice(0, eq).trim()
  if (eq < 0 || !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(path)) {
    throw new Error(`--set expects path=value1,value2,… with a dotted path such as model.optimizer.lr; got "${text}"`)
  }
  const values = splitTopLevel(text.slice(eq + 1))
  if (values.some((v) => v === '')) throw new Error(`--set ${path}: empty value in "${text.slice(eq + 1)}"`)
  return { path: path.split('.'), values: values.map(valueOf) }
}

/** Every combination of the axes' values, the first axis slowest. */
export const gridOf = (axes: readonly SweepAxis[]): unknown[][] =>
  axes.reduce<unknown[][]>((combos, axis) => combos.flatMap((c) => axis.values.map((v) => [...c, v])), [[]])

/** `count` distinct combinations drawn from the grid with `seed` (the whole grid when count ≥ its size), in grid order. */
export const sampleGrid = (grid: readonly unknown[][], count: number, seed: number): unknown[][] => {
  if (count >= grid.length) return [...grid]
  const u = uniform64(keyOf(seed), grid.length)
  const picked = Array.from(grid.keys()).sort((a, b) => u[a]! - u[b]!).slice(0, count).sort((a, b) => a - b)
  return picked.map((i) => grid[i]!)
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

/** The base config with `path` set to `value` (a copy); throws naming the path when it runs through a non-object. */
export const setPath = (base: Json, path: readonly string[], value: unknown): Json => {
  const root = structuredClone(base)
  let node: Json = root
  path.slice(0, -1).forEach((segment, i) => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new Error(`--set ${path.join('.')}: ${path.slice(0, i).join('.') || 'the config'} is not an object`)
    const next: Json | undefined = node[segment]
    if (next === undefined) node[segment] = {}
    node = node[segment]!
  })
  if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new Error(`--set ${path.join('.')}: ${path.slice(0, -1).join('.') || 'the config'} is not an object`)
  node[path.at(-1)!] = value as Json
  return root
}

/** A file-system-safe name for a recipe: `lr-0.002_ema-0.99-1` (last path segment, then the value). */
export const recipeName = (axes: readonly SweepAxis[], combo: readonly unknown[]): string =>
  axes
    .map((a, i) => `${a.path.at(-1)}-${JSON.stringify(combo[i]).replace(/[^A-Za-z0-9.+]+/g, '-').replace(/^-+|-+$/g, '')}`)
    .join('_')

/** Spearman's rank correlation of two equally long samples (average ranks for ties); undefined below 3 pairs. */
export const spearman = (xs: readonly number[], ys: readonly number[]): number | undefined => {
  if (xs.length !== ys.length || xs.length < 3) return undefined
  const ranks = (v: readonly number[]): number[] => {
    const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0])
    const r = new Array<number>(v.length)
    for (let i = 0; i < order.length;) {
      let j = i
      while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++
      for (let k = i; k <= j; k++) r[order[k]![1]] = (i + j) / 2 + 1
      i = j + 1
    }
    return r
  }
  const rx = ranks(xs)
  const ry = ranks(ys)
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length
  const mx = mean(rx)
  const my = mean(ry)
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i]! - mx) * (ry[i]! - my)
    sxx += (rx[i]! - mx) ** 2
    syy += (ry[i]! - my) ** 2
  }
  return sxx === 0 || syy === 0 ? undefined : sxy / Math.sqrt(sxx * syy)
}

/** One recipe's outcome. */
export interface SweepEntry {
  readonly name: string
  readonly settings: Readonly<Record<string, unknown>>
  readonly row: CompareRow | undefined
}

const pct = (v: number | undefined): string => (v === undefined ? '—' : `${(100 * v).toFixed(1)}%`)

/** sweep.md's text: the ranking by RankMe with the probes beside it, the picks and the correlation. */
export const sweepMarkdown = (entries: readonly SweepEntry[], baselines: readonly CompareRow[], notes: readonly string[]): string => {
  const scored = entries.filter((e) => e.row?.rankMe !== undefined)
  const ranked = [...scored].sort((a, b) => b.row!.rankMe! - a.row!.rankMe!)
  const failed = entries.filter((e) => e.row?.rankMe === undefined)
  const byLinear = [...scored].sort((a, b) => (b.row!.linearTop1 ?? -1) - (a.row!.linearTop1 ?? -1))
  const rho = spearman(scored.map((e) => e.row!.rankMe!), scored.map((e) => e.row!.linearTop1 ?? -1))
  const keys = Object.keys(entries[0]?.settings ?? {})
  const lines = [
    '# Sweep',
    '',
    ...notes.map((n) => `- ${n}`),
    '',
    `| rank (RankMe) | recipe | ${keys.join(' | ')} | RankMe | linear top-1 | attentive top-1 | kNN top-1 |`,
    `| ---: | :--- | ${keys.map(() => ':---').join(' | ')} | ---: | ---: | ---: | ---: |`,
    ...ranked.map((e, i) => `| ${i + 1} | ${e.name} | ${keys.map((k) => `\`${JSON.stringify(e.settings[k])}\``).join(' | ')} | ${e.row!.rankMe!.toFixed(1)} | ${pct(e.row!.linearTop1)} | ${pct(e.row!.attentiveTop1)} | ${pct(e.row!.knnTop1)} |`),
    ...failed.map((e) => `| — | ${e.name} | ${keys.map((k) => `\`${JSON.stringify(e.settings[k])}\``).join(' | ')} | — | ${pct(e.row?.linearTop1)} | ${pct(e.row?.attentiveTop1)} | ${pct(e.row?.knnTop1)} |`),
    ...baselines.map((b) => `| — | ${b.method} | ${keys.map(() => '').join(' | ')} | ${b.rankMe === undefined ? '—' : b.rankMe.toFixed(1)} | ${pct(b.linearTop1)} | ${pct(b.attentiveTop1)} | ${pct(b.knnTop1)} |`),
    '',
  ]
  if (ranked.length > 0) {
    const rankPick = ranked[0]!
    const probePick = byLinear[0]!
    lines.push(`- RankMe picks **${rankPick.name}** (linear top-1 ${pct(rankPick.row!.linearTop1)}); the linear probe picks **${probePick.name}** (${pct(probePick.row!.linearTop1)}): ${rankPick === probePick ? 'the same recipe' : `a different recipe, ${(100 * ((probePick.row!.linearTop1 ?? 0) - (rankPick.row!.linearTop1 ?? 0))).toFixed(1)} points apart`}.`)
    lines.push(`- Spearman correlation of RankMe and linear top-1 over ${scored.length} recipes: ${rho === undefined ? 'not defined (fewer than 3 recipes, or a constant column)' : rho.toFixed(2)}.`)
  }
  if (failed.length > 0) lines.push(`- ${failed.length} recipe(s) have no RankMe (failed, diverged to non-finite features, or collapsed to zero): ranked last.`)
  lines.push('', '![linear-probe top-1 against RankMe](sweep.svg)', '')
  return lines.join('\n')
}

/** Options of `jepa sweep`. */
export interface SweepOptions extends Omit<CompareOptions, 'curve'> {
  readonly set: readonly SweepAxis[]
  readonly samples?: number
  readonly seed?: number
}

/** Runs `jepa sweep` and returns its exit code. */
export const runSweep = async (basePath: string, o: SweepOptions, io: CommandIo = consoleIo, registry: FamilyRegistry = defaultFamilies, signal?: AbortSignal): Promise<number> => {
  if (o.set.length === 0) {
    io.err('jepa sweep: give at least one --set path=value1,value2')
    return EXIT.badInput
  }
  let base: Json
  try {
    // a family module path is made absolute: the derived configs are written to another folder
    base = absoluteFamilyPath(JSON.parse(readFileSync(basePath, 'utf8')) as Json, dirname(resolve(basePath)))
  } catch (e) {
    io.err(`jepa sweep: ${basePath}: ${e instanceof Error ? e.message : String(e)}`)
    return EXIT.badInput
  }
  const combos = sampleGrid(gridOf(o.set), o.samples ?? Number.POSITIVE_INFINITY, o.seed ?? 0)
  const configDir = join(o.out, 'configs')
  const entries: Array<{ name: string; settings: Record<string, unknown>; path: string }> = []
  try {
    mkdirSync(configDir, { recursive: true })
    for (const combo of combos) {
      const config = o.set.reduce<Json>((c, axis, i) => setPath(c, axis.path, combo[i]), base)
      const name = recipeName(o.set, combo)
      const path = join(configDir, `${name}.json`)
      await atomicWriteFile(path, new TextEncoder().encode(`${JSON.stringify(config, null, 2)}\n`))
      entries.push({ name, settings: Object.fromEntries(o.set.map((a, i) => [a.path.join('.'), combo[i]])), path })
    }
  } catch (e) {
    io.err(`jepa sweep: ${e instanceof Error ? e.message : String(e)}`)
    return EXIT.badInput
  }
  io.err(`jepa sweep: ${entries.length} recipe(s) of ${gridOf(o.set).length} in the grid`)
  const code = await runCompare(entries.map((e) => e.path), { ...o, curve: [] }, io, registry, signal)
  if (code === EXIT.badInput) return code
  let rows: CompareRow[]
  try {
    rows = (JSON.parse(readFileSync(join(o.out, 'results.json'), 'utf8')) as { rows: CompareRow[] }).rows
  } catch (e) {
    io.err(`jepa sweep: ${e instanceof Error ? e.message : String(e)}`)
    return EXIT.badInput
  }
  // compare names its rows `<run>: <family> (step k)` and `<run>: <family> (random init)`; run names are the recipe names
  const names = runNames(entries.map((e) => e.path))
  const trainedRow = (name: string): CompareRow | undefined => rows.find((r) => r.method.startsWith(`${name}: `) && !r.method.endsWith('(random init)'))
  const swept: SweepEntry[] = entries.map((e, i) => ({ name: names[i]!, settings: e.settings, row: trainedRow(names[i]!) }))
  const randoms = rows.filter((r) => r.method.endsWith('(random init)'))
  const distinctRandom = randoms.filter((r, i) => randoms.findIndex((q) => q.linearTop1 === r.linearTop1 && q.knnTop1 === r.knnTop1) === i)
  // recipes that share the architecture and seed share their random init: name it once
  const named = distinctRandom.length === 1 ? distinctRandom.map((r) => ({ ...r, method: 'random init (every recipe)' })) : distinctRandom
  const baselines = [...named, ...rows.filter((r) => r.method === 'raw pixels')]
  const notes = [
    `base config ${basePath}; ${entries.length} recipe(s)${o.samples === undefined ? ' (the whole grid)' : ` sampled with seed ${o.seed ?? 0}`}; budget ${o.budgetSteps !== undefined ? `${o.budgetSteps} steps each` : o.budgetSeconds !== undefined ? `${o.budgetSeconds} s each` : 'the base config\'s own train.steps each'}; the per-run table and commands are in results.md`,
    'ranked by RankMe of the trained encoder on the test features (label-free); the probes use the labels and are shown beside it',
  ]
  const points = swept.filter((e) => e.row?.rankMe !== undefined && e.row.linearTop1 !== undefined)
  const svg = lineChartSvg({
    title: 'Linear-probe top-1 vs RankMe, one point per recipe',
    xLabel: 'RankMe (test features)',
    yLabel: 'linear top-1 (%)',
    series: points.map((e) => ({ name: e.name, points: [[e.row!.rankMe!, 100 * e.row!.linearTop1!]] })),
    markersOnly: true,
    hlines: baselines.flatMap((b) => (b.linearTop1 === undefined ? [] : [{ name: `${b.method} ${(100 * b.linearTop1).toFixed(1)}%`, y: 100 * b.linearTop1 }])),
  })
  try {
    await atomicWriteFile(join(o.out, 'sweep.md'), new TextEncoder().encode(sweepMarkdown(swept, baselines, notes)))
    await atomicWriteFile(join(o.out, 'sweep.json'), new TextEncoder().encode(`${JSON.stringify({ notes, recipes: swept, baselines }, null, 2)}\n`))
    await atomicWriteFile(join(o.out, 'sweep.svg'), new TextEncoder().encode(svg))
    await atomicWriteFile(join(o.out, 'sweep.png'), await sharp(Buffer.from(svg)).png().toBuffer())
  } catch (e) {
    io.err(`jepa sweep: ${e instanceof Error ? e.message : String(e)}`)
    return EXIT.badInput
  }
  io.out(sweepMarkdown(swept, baselines, notes))
  io.err(`wrote ${join(o.out, 'sweep.md')}`)
  return code
}

const collect = (value: string, previous: SweepAxis[] = []): SweepAxis[] => [...previous, parseSetting(value)]

export const register = (program: Command): void => {
  program
    .command('sweep')
    .description('recipe search: train every combination of --set values under one budget, rank by RankMe (label-free) with the probes beside it; writes sweep.md, sweep.json, sweep.svg')
    .argument('<base>', 'the base run config JSON')
    .requiredOption('--out <dir>', 'output directory (configs/, one run directory per recipe, results.md, sweep.md)')
    .option('--set <path=values>', 'a config field and its values, e.g. model.optimizer.lr=1e-3,2e-3 or model.ema=[0.99,1],[0.996,1] (repeatable)', collect)
    .option('--samples <k>', 'train k combinations drawn at random from the grid (default: all)', parsers.positiveInt('--samples'))
    .option('--seed <n>', 'seed of --samples (default 0)', parsers.nonNegativeInt('--seed'))
    .option('--budget-steps <n>', 'train each recipe for n steps', parsers.positiveInt('--budget-steps'))
    .option('--budget-seconds <s>', 'train each recipe for s seconds of wall-clock time', parsers.positiveNumber('--budget-seconds'))
    .option('--data <dir>', 'Fashion-MNIST IDX folder, or "synthetic" for the synthetic shapes')
    .option('--backend <name>', 'auto | native | wasm | cpu | webgpu | tensorflow', 'auto')
    .option('--limit <n>', 'evaluate on at most n train and n test images', parsers.positiveInt('--limit'))
    .option('--probe-epochs <n>', 'linear-probe epochs', parsers.positiveInt('--probe-epochs'))
    .option('--attentive-epochs <n>', 'attentive-probe epochs, 0 = off', parsers.nonNegativeInt('--attentive-epochs'))
    .option('--resume', 'continue recipes whose run directories already hold a checkpoint')
    .action(async (base: string, options: Omit<SweepOptions, 'set'> & { readonly set?: SweepAxis[] }) => {
      process.exitCode = await withInterrupt((signal) => runSweep(base, { ...options, set: options.set ?? [] }, consoleIo, defaultFamilies, signal), consoleIo)
    })
}
