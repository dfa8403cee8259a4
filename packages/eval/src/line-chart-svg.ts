/**
 * Line and scatter charts (`jepa compare` draws its results.md figures with them), as standalone hand-written SVG (no scripts, no external
 * fonts): loss curves and RankMe over training (one line per run, x = step), and linear-probe
 * accuracy against wall time (one marker per method).
 *
 *   lineChartSvg({ title, xLabel, yLabel, series: [{ name, points: [[x, y], …] }], markers? }) → '<svg …>…</svg>\n'
 *
 * Baselines can be drawn as dashed horizontal lines (`hlines`), listed in the legend.
 * Axes span the finite data (y from its minimum, or 0 when `yFromZero`), widened to round ticks
 * (`niceTicks`: steps of 1, 2, 2.5 or 5 × 10^k; `logTicks`: decades) so no tick reads 0.998; the
 * legend column is as wide as its longest name; points
 * that are not finite are skipped (a NaN loss ends its line); a series without points keeps its
 * legend entry. Text is XML-escaped. `log` scales y by log10 (only positive values are drawn).
 */
import { escapeXml } from './bar-chart-svg.ts'

/** One named series of (x, y) points. */
export interface ChartSeries {
  readonly name: string
  readonly points: ReadonlyArray<readonly [number, number]>
}

/** What to draw. */
export interface LineChart {
  readonly title: string
  readonly xLabel: string
  readonly yLabel: string
  readonly series: readonly ChartSeries[]
  /** Markers only, no lines (a scatter plot). */
  readonly markersOnly?: boolean
  readonly yFromZero?: boolean
  readonly log?: boolean
  /** Horizontal reference lines (baselines), dashed, listed in the legend after the series. */
  readonly hlines?: ReadonlyArray<{ readonly name: string; readonly y: number }>
  /** Draw a marker on every point of a line too. */
  readonly markers?: boolean
}

const PLOT_WIDTH = 460
const BASE_HEIGHT = 400
const LEFT = 70
const TOP = 40
const BOTTOM = 50
const COLORS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d']

/** A tick label: short and exact enough. */
export const tickText = (v: number): string => {
  if (v === 0) return '0'
  const a = Math.abs(v)
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0)
  return Number(v.toPrecision(3)).toString()
}

/**
 * Round ticks covering [lo, hi]: a step of 1, 2, 2.5 or 5 × 10^k giving at most `count` intervals;
 * the domain is widened to the outer ticks so the first and last ticks sit on the axis ends.
 */
export const niceTicks = (lo: number, hi: number, count = 5): { readonly domain: readonly [number, number]; readonly ticks: readonly number[] } => {
  // a span below float precision of its values (or empty) is drawn as a unit span around it
  if (!(hi - lo > 1e-9 * Math.max(1, Math.abs(lo), Math.abs(hi)))) return niceTicks(lo - 0.5, lo + 0.5, count)
  const raw = (hi - lo) / count
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const intervals = (st: number): number => Math.ceil(hi / st - 1e-9) - Math.floor(lo / st + 1e-9)
  let step = magnitude
  for (let mag = magnitude, found = false; !found; mag *= 10) {
    for (const m of [1, 2, 2.5, 5]) {
      if (!found && intervals(m * mag) <= count) {
        step = m * mag
        found = true
      }
    }
  }
  const first = Math.floor(lo / step + 1e-9)
  const last = Math.ceil(hi / step - 1e-9)
  const ticks = Array.from({ length: last - first + 1 }, (_, i) => Number(((first + i) * step).toPrecision(12)))
  return { domain: [ticks[0]!, ticks.at(-1)!], ticks }
}

/** Ticks of a log10 axis over [lo, hi] (log10 values): the decades, with 2× and 5× when the data span fewer than two decades. */
export const logTicks = (lo: number, hi: number): { readonly domain: readonly [number, number]; readonly ticks: readonly number[] } => {
  const a = Math.floor(lo + 1e-9)
  const b = Math.ceil(hi - 1e-9)
  const top = b > a ? b : a + 1
  const ticks: number[] = []
  for (let k = a; k <= top; k++) {
    ticks.push(k)
    if (hi - lo < 2 && k < top) ticks.push(k + Math.log10(2), k + Math.log10(5))
  }
  return { domain: [a, top], ticks }
}

const CHAR_WIDTH = 7

/** The SVG document of a line (or scatter) chart. */
export const lineChartSvg = (chart: LineChart): string => {
  const ty = (y: number): number => (chart.log === true ? Math.log10(y) : y)
  const usable = chart.series.map((s) => ({ name: s.name, points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (chart.log !== true || y > 0)) }))
  const xs = usable.flatMap((s) => s.points.map(([x]) => x))
  const hlines = (chart.hlines ?? []).filter((h) => Number.isFinite(h.y) && (chart.log !== true || h.y > 0))
  const ys = [...usable.flatMap((s) => s.points.map(([, y]) => ty(y))), ...hlines.map((h) => ty(h.y))]
  const span = (values: number[], fromZero: boolean): [number, number] => {
    if (values.length === 0) return [0, 1]
    const lo = fromZero ? Math.min(0, ...values) : Math.min(...values)
    return [lo, Math.max(...values)]
  }
  const xAxis = niceTicks(...span(xs, true))
  const yAxis = chart.log === true ? logTicks(...span(ys, false)) : niceTicks(...span(ys, chart.yFromZero === true))
  const [x0, x1] = xAxis.domain
  const [y0, y1] = yAxis.domain
  const legendNames = [...usable.map((u) => u.name), ...hlines.map((h) => h.name)]
  const right = Math.max(120, 50 + CHAR_WIDTH * Math.max(0, ...legendNames.map((n) => n.length)))
  const width = PLOT_WIDTH + LEFT + right
  const height = Math.max(BASE_HEIGHT, TOP + 20 * legendNames.length + BOTTOM)
  const plotW = width - LEFT - right
  const plotH = height - TOP - BOTTOM
  const px = (x: number): number => LEFT + ((x - x0) / (x1 - x0)) * plotW
  const py = (y: number): number => TOP + plotH - ((ty(y) - y0) / (y1 - y0)) * plotH
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LEFT + plotW / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
    `<line x1="${LEFT}" y1="${TOP + plotH}" x2="${LEFT + plotW}" y2="${TOP + plotH}" stroke="#333333"/>`,
    `<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + plotH}" stroke="#333333"/>`,
  ]
  for (const xv of xAxis.ticks) {
    const X = px(xv)
    parts.push(`<line x1="${X.toFixed(1)}" y1="${TOP + plotH}" x2="${X.toFixed(1)}" y2="${TOP + plotH + 5}" stroke="#333333"/>`)
    parts.push(`<text x="${X.toFixed(1)}" y="${TOP + plotH + 18}" text-anchor="middle">${escapeXml(tickText(xv))}</text>`)
  }
  for (const yv of yAxis.ticks) {
    const Y = TOP + plotH - ((yv - y0) / (y1 - y0)) * plotH
    parts.push(`<line x1="${LEFT - 5}" y1="${Y.toFixed(1)}" x2="${LEFT + plotW}" y2="${Y.toFixed(1)}" stroke="#dddddd"/>`)
    parts.push(`<text x="${LEFT - 8}" y="${(Y + 4).toFixed(1)}" text-anchor="end">${escapeXml(tickText(chart.log === true ? 10 ** yv : yv))}</text>`)
  }
  parts.push(`<text x="${LEFT + plotW / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`)
  parts.push(`<text x="16" y="${TOP + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${TOP + plotH / 2})">${escapeXml(chart.yLabel)}${chart.log === true ? ' (log)' : ''}</text>`)
  usable.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!
    if (chart.markersOnly !== true && s.points.length > 1) {
      const d = s.points.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')
      parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>`)
    }
    if (chart.markersOnly === true || chart.markers === true || s.points.length === 1) {
      for (const [x, y] of s.points) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="4.5" fill="${color}"/>`)
    }
    const ly = TOP + 10 + i * 20
    parts.push(`<rect x="${LEFT + plotW + 15}" y="${ly - 9}" width="12" height="12" fill="${color}"/>`)
    parts.push(`<text x="${LEFT + plotW + 32}" y="${ly + 1}">${escapeXml(s.name)}</text>`)
  })
  hlines.forEach((h, j) => {
    const y = py(h.y).toFixed(1)
    const dash = j % 2 === 0 ? '6,4' : '2,3'
    parts.push(`<line x1="${LEFT}" y1="${y}" x2="${LEFT + plotW}" y2="${y}" stroke="#555555" stroke-width="1.2" stroke-dasharray="${dash}"/>`)
    const ly = TOP + 10 + (usable.length + j) * 20
    parts.push(`<line x1="${LEFT + plotW + 15}" y1="${ly - 3}" x2="${LEFT + plotW + 27}" y2="${ly - 3}" stroke="#555555" stroke-width="1.2" stroke-dasharray="${dash}"/>`)
    parts.push(`<text x="${LEFT + plotW + 32}" y="${ly + 1}">${escapeXml(h.name)}</text>`)
  })
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}
