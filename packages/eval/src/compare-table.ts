/**
 * The comparison report's table: one row per method (a model family, or a baseline such as raw
 * pixels or a random-init encoder), plain data in, Markdown out.
 *
 *   | method | linear top-1 | attentive top-1 | kNN top-1 | RankMe | collapse std | images/s | wall time | command |
 *
 * Accuracies are fractions in [0, 1], rendered as percentages with one decimal; RankMe with one
 * decimal; collapse std with four; images/s with one; wall time as `1h 02m`, `3m 07s` or `12.3 s`.
 * A missing value renders as `—`. `|` and line breaks inside text cells are escaped so the table
 * stays a table. Rows keep the order given.
 */

/** One method's results. Every metric is optional: what was not measured shows as `—`. */
export interface CompareRow {
  readonly method: string
  /** Linear-probe top-1, in [0, 1]. */
  readonly linearTop1?: number
  /** Attentive-probe top-1 over the frozen tokens, in [0, 1]. */
  readonly attentiveTop1?: number
  /** kNN top-1, in [0, 1]. */
  readonly knnTop1?: number
  readonly rankMe?: number
  readonly collapseStd?: number
  /** Training throughput. */
  readonly imagesPerSecond?: number
  /** Wall-clock seconds of the run. */
  readonly wallSeconds?: number
  /** The command that reproduces the row. */
  readonly command?: string
}

/** The numeric columns, by field, with their headers (also the metrics a bar chart can show). */
export const COMPARE_METRICS = {
  linearTop1: 'linear top-1',
  attentiveTop1: 'attentive top-1',
  knnTop1: 'kNN top-1',
  rankMe: 'RankMe',
  collapseStd: 'collapse std',
  imagesPerSecond: 'images/s',
  wallSeconds: 'wall time',
} as const

/** A numeric column of `CompareRow`. */
export type CompareMetric = keyof typeof COMPARE_METRICS

const missing = '—'

/** A cell's text for a metric value. */
export const formatMetric = (metric: CompareMetric, value: number | undefined): string => {
  if (value === undefined || !Number.isFinite(value)) return missing
  switch (metric) {
    case 'linearTop1':
    case 'attentiveTop1':
    case 'knnTop1':
      return `${(100 * value).toFixed(1)}%`
    case 'rankMe':
      return value.toFixed(1)
    case 'collapseStd':
      return value.toFixed(4)
    case 'imagesPerSecond':
      return value.toFixed(1)
    case 'wallSeconds':
      return formatDuration(value)
  }
}

/** `12.3 s`, `3m 07s`, `1h 02m`. */
export const formatDuration = (seconds: number): string => {
  if (seconds < 60) return `${seconds.toFixed(1)} s`
  const whole = Math.round(seconds)
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, '0')}s`
  return `${Math.floor(whole / 3600)}h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`
}

const escapeCell = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')

/** The Markdown table of the rows (header, alignment line, one line per row, trailing newline). */
export const compareTable = (rows: readonly CompareRow[]): string => {
  const metrics = Object.keys(COMPARE_METRICS) as CompareMetric[]
  const header = ['method', ...metrics.map((m) => COMPARE_METRICS[m]), 'command']
  const align = [':---', ...metrics.map(() => '---:'), ':---']
  const lines = [header, align].map((cells) => `| ${cells.join(' | ')} |`)
  for (const row of rows) {
    const cells = [escapeCell(row.method), ...metrics.map((m) => formatMetric(m, row[m])), row.command === undefined ? missing : `\`${escapeCell(row.command).replace(/`/g, "'")}\``]
    lines.push(`| ${cells.join(' | ')} |`)
  }
  return `${lines.join('\n')}\n`
}
