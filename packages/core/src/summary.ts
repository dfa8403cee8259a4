/**
 * The model summary: the shape, params and FLOPs interpreters rendered as a table, computed from
 * `infer` alone — no tensor is allocated, so it is instant even for ViT-Huge.
 *
 * Rows are the named sub-layers (state_dict scopes) down to `maxDepth`; the totals are those of the
 * whole model. FLOPs are for one forward pass at the given input shape (a multiply–add is 2 FLOPs).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { ShapeError } from './errors.ts'
import { type DimsSig, formatDims } from './shape.ts'
import { type AnyLayer, type Inferred, type Layer, type Report, countSpecs } from './layer.ts'
import type { Sig } from './shape.ts'

/** One table row. */
export interface SummaryRow {
  readonly path: string
  readonly kind: string
  readonly depth: number
  readonly outDims: DimsSig
  readonly params: number
  readonly flops: number
}

/** The summary of a model at one input shape. */
export interface Summary {
  readonly name: string
  readonly inDims: DimsSig
  readonly outDims: DimsSig
  readonly totalParams: number
  readonly totalFlops: number
  readonly rows: readonly SummaryRow[]
}

const rowsOf = (reports: readonly Report[], depth: number, maxDepth: number): SummaryRow[] =>
  reports.flatMap((r) => [
    { path: r.path, kind: r.kind, depth, outDims: r.outDims, params: r.params, flops: r.flops },
    ...(depth + 1 < maxDepth ? rowsOf(r.children, depth + 1, maxDepth) : []),
  ])

/** Runs the shape, params and FLOPs interpreters; Left with the located error if the input cannot work. */
export const summarize = <In extends Sig, Out extends Sig>(
  layer: Layer<In, Out>,
  inDims: DimsSig,
  options: { readonly maxDepth?: number } = {},
): E.Either<ShapeError, Summary> => {
  const l = layer as unknown as AnyLayer
  return E.map((inf: Inferred) => ({
    name: l.name === '' ? l.kind : l.name,
    inDims,
    outDims: inf.outDims,
    totalParams: countSpecs(inf.params),
    totalFlops: inf.flops,
    rows: rowsOf(inf.children, 0, options.maxDepth ?? 2),
  }))(l.infer(inDims, l.name))
}

/** 5524416 → "5,524,416". */
export const formatCount = (n: number): string => Math.round(n).toLocaleString('en-US')

/** 1.26e9 → "1.26 G". */
export const formatFlops = (n: number): string => {
  const units: Array<readonly [number, string]> = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'K']]
  for (const [v, u] of units) if (n >= v) return `${(n / v).toFixed(2)} ${u}`
  return `${n}`
}

/** Renders a summary as a fixed-width text table. */
export const formatSummary = (s: Summary): string => {
  const header = ['layer', 'kind', 'output shape', 'params', 'FLOPs'] as const
  const body = s.rows.map((r) => [`${'  '.repeat(r.depth)}${r.path.split('.').slice(-1)[0] ?? r.path}`, r.kind, formatDims(r.outDims), formatCount(r.params), formatFlops(r.flops)])
  const total = ['total', '', formatDims(s.outDims), formatCount(s.totalParams), formatFlops(s.totalFlops)]
  const all = [[...header], ...body, total]
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c]!.length)))
  const line = (row: readonly string[]): string => row.map((cell, c) => (c >= 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ')
  const rule = widths.map((w) => '─'.repeat(w)).join('  ')
  return [`${s.name}  input ${formatDims(s.inDims)}`, line(header), rule, ...body.map(line), rule, line(total)].join('\n')
}
