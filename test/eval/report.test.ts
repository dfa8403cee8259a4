import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { keyOf, normal } from '@jepa-ts/core'
import { COMPARE_METRICS, compareTable, formatDuration, rawPixelFeatures, writeBarChartSvg, type CompareMetric, type CompareRow } from '@jepa-ts/eval'

const rows: CompareRow[] = [
  { method: 'I-JEPA', linearTop1: 0.8123, knnTop1: 0.7912, rankMe: 151.37, collapseStd: 0.0612, imagesPerSecond: 35.25, wallSeconds: 3725, command: 'pnpm main train ijepa' },
  { method: 'raw pixels', linearTop1: 0.7, knnTop1: 0.65, rankMe: 80.04 },
  { method: 'random <init> | encoder', linearTop1: 0.5, wallSeconds: 12.34, command: 'a\nb' },
]

test('compareTable renders a header, an alignment line and one line per row, in order, with formatted cells', () => {
  const md = compareTable(rows)
  const lines = md.trimEnd().split('\n')
  assert.equal(lines.length, 2 + rows.length)
  assert.equal(lines[0], '| method | linear top-1 | attentive top-1 | kNN top-1 | RankMe | collapse std | images/s | wall time | command |')
  assert.equal(lines[1], '| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :--- |')
  assert.equal(lines[2], '| I-JEPA | 81.2% | — | 79.1% | 151.4 | 0.0612 | 35.3 | 1h 02m | `pnpm main train ijepa` |')
  assert.equal(lines[3], '| raw pixels | 70.0% | — | 65.0% | 80.0 | — | — | — | — |')
  assert.equal(lines[4], '| random <init> \\| encoder | 50.0% | — | — | — | — | — | 12.3 s | `a b` |')
})

test('law: every table line has the same number of unescaped cell separators, whatever the text', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ method: fc.string(), linearTop1: fc.option(fc.double(), { nil: undefined }), command: fc.option(fc.string(), { nil: undefined }) }), { maxLength: 6 }), (rs) => {
      const lines = compareTable(rs).trimEnd().split('\n')
      assert.equal(lines.length, 2 + rs.length)
      const separators = (l: string) => l.replace(/\\\\/g, '').replace(/\\\|/g, '').split('|').length
      lines.forEach((l) => assert.equal(separators(l), separators(lines[0]!), `line ${JSON.stringify(l)}`))
    }),
  )
})

test('formatDuration: seconds, minutes, hours', () => {
  assert.equal(formatDuration(9.87), '9.9 s')
  assert.equal(formatDuration(187), '3m 07s')
  assert.equal(formatDuration(7325), '2h 02m')
})

test('writeBarChartSvg: a standalone SVG with one bar per measured row, escaped text, accuracies on a 0–100% axis', () => {
  const svg = writeBarChartSvg(rows, 'linearTop1')
  // the label column is as wide as the longest method ('random <init> | encoder', 23 characters): ⌈16 + 7.5·23⌉ = 189
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="649" height="\d+"/)
  assert.ok(svg.trimEnd().endsWith('</svg>'))
  const bars = [...svg.matchAll(/<rect x="189" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]))
  assert.deepEqual(bars, [0.8123 * 380, 0.7 * 380, 0.5 * 380].map((w) => Number(w.toFixed(1))))
  assert.ok(svg.includes('random &lt;init&gt; | encoder'))
  assert.ok(!svg.includes('<init>'))
  assert.ok(svg.includes('81.2%'))
  const knn = writeBarChartSvg(rows, 'knnTop1')
  assert.equal([...knn.matchAll(/<rect x="189"/g)].length, 2, 'the row without kNN has no bar')
  assert.ok(knn.includes('>—</text>'))
})

test('law: bar widths are proportional to the values and the longest bar fills the plot (non-accuracy metrics)', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0.5, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 8 }), fc.constantFrom<CompareMetric>('rankMe', 'collapseStd', 'imagesPerSecond', 'wallSeconds'), (values, metric) => {
      const rs = values.map((v, i) => ({ method: `m${i}`, [metric]: v }))
      const widths = [...writeBarChartSvg(rs, metric).matchAll(/<rect x="120" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]))
      const max = Math.max(...values)
      assert.equal(widths.length, values.length)
      widths.forEach((w, i) => assert.ok(Math.abs(w - (values[i]! / max) * 380) <= 0.051, `bar ${i}: ${w}`))
      assert.ok(writeBarChartSvg(rs, metric).includes(`>${COMPARE_METRICS[metric]}</text>`))
    }),
  )
})

test('rawPixelFeatures flattens [N, H, W, C] to [N, H·W·C] in row-major order (tensor and host)', async () => {
  await tf.setBackend('cpu')
  const values = normal(keyOf(1), 2 * 3 * 4 * 2)
  const t = tf.tensor4d(values, [2, 3, 4, 2])
  const f = rawPixelFeatures(t)
  assert.deepEqual(f.shape, [2, 24])
  assert.deepEqual(f.dataSync(), values)
  tf.dispose([t, f])
  const h = rawPixelFeatures({ values, shape: [2, 3, 4, 2] })
  assert.deepEqual(h.shape, [2, 24])
  assert.equal(h.values, values)
  assert.throws(() => rawPixelFeatures({ values, shape: [2, 3, 4, 3] }), /images\.values: expected 2·3·4·3 = 72 values, got 48/)
  const flat = tf.zeros([2, 3]) as unknown as tf.Tensor4D
  assert.throws(() => rawPixelFeatures(flat), /images: expected a batch \[N, H, W, C\] \(rank 4\), got shape \[2, 3\]/)
  flat.dispose()
})
