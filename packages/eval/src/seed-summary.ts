/**
 * Results over several seeds: the mean and spread of each metric per method, and claims of the form
 * "A beats B on metric m" checked against that spread.
 *
 *   spreadOf([x1, …, xn]) → { mean, sd, n, values }      sd: sample standard deviation (n − 1; 0 when n = 1)
 *   seedTable(groups)     → Markdown: `62.4 ± 1.2%` per cell (accuracies in %), `—` when missing
 *   claim(a, b, metric)   → { difference: mean_a − mean_b, exceeds: |difference| > sd_a + sd_b }
 *
 * A difference "exceeds the spread" when the gap between the means is larger than the two standard
 * deviations added: with 2–3 seeds a rough but honest bar (it is not a significance test, and the
 * tables say how many seeds each row has). A claim with a single seed on either side never exceeds.
 */
import { type CompareMetric, type CompareRow, COMPARE_METRICS, formatMetric } from './compare-table.ts'

/** Mean and sample standard deviation of a metric over seeds. */
export interface Spread {
  readonly mean: number
  readonly sd: number
  readonly n: number
  readonly values: readonly number[]
}

/** The spread of the finite values, or undefined when there are none. */
export const spreadOf = (values: readonly (number | undefined)[]): Spread | undefined => {
  const xs = values.filter((v): v is number => v !== undefined && Number.isFinite(v))
  if (xs.length === 0) return undefined
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  const sd = xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1))
  return { mean, sd, n: xs.length, values: xs }
}

/** One method over its seeds. */
export interface SeedGroup {
  readonly method: string
  readonly rows: readonly CompareRow[]
}

/** The metrics a seed table shows. */
export const SEED_METRICS: readonly CompareMetric[] = ['linearTop1', 'attentiveTop1', 'knnTop1', 'rankMe', 'collapseStd', 'imagesPerSecond']

const isAccuracy = (m: CompareMetric): boolean => m === 'linearTop1' || m === 'attentiveTop1' || m === 'knnTop1'

/** `62.4 ± 1.2%` (accuracies), `7.0 ± 0.3`, or `—`. */
export const formatSpread = (metric: CompareMetric, s: Spread | undefined): string => {
  if (s === undefined) return '—'
  if (s.n === 1) return formatMetric(metric, s.mean)
  if (isAccuracy(metric)) return `${(100 * s.mean).toFixed(1)} ± ${(100 * s.sd).toFixed(1)}%`
  const mean = formatMetric(metric, s.mean)
  const sd = formatMetric(metric, s.sd)
  return `${mean} ± ${sd}`
}

/** The Markdown table: method, seeds, then mean ± sd per metric. */
export const seedTable = (groups: readonly SeedGroup[]): string => {
  const header = ['method', 'seeds', ...SEED_METRICS.map((m) => COMPARE_METRICS[m])]
  const lines = [`| ${header.join(' | ')} |`, `| :--- | ---: | ${SEED_METRICS.map(() => '---:').join(' | ')} |`]
  for (const g of groups) {
    const cells = SEED_METRICS.map((m) => formatSpread(m, spreadOf(g.rows.map((r) => r[m]))))
    lines.push(`| ${g.method.replace(/\|/g, '\\|')} | ${g.rows.length} | ${cells.join(' | ')} |`)
  }
  return `${lines.join('\n')}\n`
}

/** "a beats b on metric" checked against the spread. */
export interface Claim {
  readonly a: string
  readonly b: string
  readonly metric: CompareMetric
  /** mean_a − mean_b. */
  readonly difference: number
  /** |difference| > sd_a + sd_b, with at least 2 seeds on each side that has a spread. */
  readonly exceeds: boolean
  readonly seeds: readonly [number, number]
}

/** The claim for two groups on one metric; undefined when either has no value. */
export const claim = (a: SeedGroup, b: SeedGroup, metric: CompareMetric): Claim | undefined => {
  const sa = spreadOf(a.rows.map((r) => r[metric]))
  const sb = spreadOf(b.rows.map((r) => r[metric]))
  if (sa === undefined || sb === undefined) return undefined
  const difference = sa.mean - sb.mean
  // a one-seed side (raw pixels: a fixed sample, no seed) has no spread; the other side must have ≥ 2 seeds
  const enoughSeeds = sa.n >= 2 || sb.n >= 2
  return { a: a.method, b: b.method, metric, difference, exceeds: enoughSeeds && Math.abs(difference) > sa.sd + sb.sd, seeds: [sa.n, sb.n] }
}

/** The claims table: which differences exceed the spread. */
export const claimsTable = (claims: readonly Claim[]): string => {
  const lines = ['| claim | metric | difference | seeds | exceeds the spread? |', '| :--- | :--- | ---: | :--- | :--- |']
  for (const c of claims) {
    const diff = isAccuracy(c.metric) ? `${c.difference >= 0 ? '+' : ''}${(100 * c.difference).toFixed(1)} points` : `${c.difference >= 0 ? '+' : ''}${c.difference.toFixed(2)}`
    const verdict = c.exceeds ? (c.difference > 0 ? 'yes: higher' : 'yes: lower') : 'no: within the spread'
    lines.push(`| ${c.a.replace(/\|/g, '\\|')} vs ${c.b.replace(/\|/g, '\\|')} | ${COMPARE_METRICS[c.metric]} | ${diff} | ${c.seeds[0]} vs ${c.seeds[1]} | ${verdict} |`)
  }
  return `${lines.join('\n')}\n`
}
