/**
 * A small standalone SVG bar chart of one metric across methods, for results.md: hand-written SVG
 * text, no dependencies, no scripts, no external fonts or styles.
 *
 *   writeBarChartSvg(rows, metric) → '<svg xmlns="http://www.w3.org/2000/svg" …>…</svg>\n'
 *
 * One horizontal bar per row, in the rows' order, labelled with the method (the label column is as
 * wide as the longest method) and the value formatted as in the table. Accuracies are drawn on a 0–100% axis; other metrics on 0 to their largest value.
 * Rows without the metric keep their line and show `—` with no bar. Text is XML-escaped. The caller
 * saves the string (e.g. `writeFileSync('docs/linear-top1.svg', svg)`).
 */
import { type CompareMetric, type CompareRow, COMPARE_METRICS, formatMetric } from './compare-table.ts'

const PLOT_WIDTH = 380
/** Approximate width of one character at the chart's font size (labels are never clipped). */
const CHAR_WIDTH = 7.5
const VALUE_WIDTH = 80
const BAR_HEIGHT = 20
const GAP = 8
const TOP = 36
const BOTTOM = 12
const COLOR = '#4e79a7'

/** XML-escapes text for element content and attribute values. */
export const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')

const isAccuracy = (metric: CompareMetric): boolean => metric === 'linearTop1' || metric === 'attentiveTop1' || metric === 'knnTop1'

/** The SVG document of a bar chart of `metric` over `rows`. */
export const writeBarChartSvg = (rows: readonly CompareRow[], metric: CompareMetric): string => {
  const values = rows.map((r) => r[metric])
  const finite = values.filter((v): v is number => v !== undefined && Number.isFinite(v))
  const axisMax = isAccuracy(metric) ? 1 : Math.max(0, ...finite)
  const labelWidth = Math.max(120, 16 + CHAR_WIDTH * Math.max(0, ...rows.map((r) => r.method.length)))
  const width = labelWidth + PLOT_WIDTH + VALUE_WIDTH
  const plotWidth = PLOT_WIDTH
  const height = TOP + rows.length * (BAR_HEIGHT + GAP) + BOTTOM
  const title = COMPARE_METRICS[metric]
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  ]
  rows.forEach((row, i) => {
    const y = TOP + i * (BAR_HEIGHT + GAP)
    const mid = y + BAR_HEIGHT / 2 + 4.5
    const v = values[i]
    parts.push(`<text x="${labelWidth - 8}" y="${mid}" text-anchor="end">${escapeXml(row.method)}</text>`)
    if (v !== undefined && Number.isFinite(v)) {
      const w = axisMax > 0 ? (Math.max(0, Math.min(v, axisMax)) / axisMax) * plotWidth : 0
      parts.push(`<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${BAR_HEIGHT}" fill="${COLOR}"/>`)
      parts.push(`<text x="${(labelWidth + w + 6).toFixed(1)}" y="${mid}">${escapeXml(formatMetric(metric, v))}</text>`)
    } else {
      parts.push(`<text x="${labelWidth + 6}" y="${mid}" fill="#888888">—</text>`)
    }
  })
  parts.push(`<line x1="${labelWidth}" y1="${TOP - 4}" x2="${labelWidth}" y2="${height - BOTTOM + 2}" stroke="#333333"/>`)
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}
