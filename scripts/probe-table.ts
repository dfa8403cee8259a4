/**
 * Gathers the low-level probes of scripts/ablations.sh into one markdown table: for each run, the
 * linear-probe and kNN top-1 of its trained encoder, its random init and raw pixels on each synthetic
 * label (object count; position bin of the largest object along x, left/center/right), read from
 * `<dir>/<run>/synthetic-<label>/eval.json` (written by `jepa eval --data synthetic --label <label>`).
 *
 *   pnpm exec tsx scripts/probe-table.ts runs/ablation ijepa mae simclr vicreg byol
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const LABELS = ['count', 'posX'] as const

interface Row {
  readonly method: string
  readonly linearTop1: number
  readonly knnTop1: number
}

const isRow = (v: unknown): v is Row =>
  typeof v === 'object' && v !== null && typeof Reflect.get(v, 'method') === 'string' && typeof Reflect.get(v, 'linearTop1') === 'number' && typeof Reflect.get(v, 'knnTop1') === 'number'

/** The rows of one eval.json: trained, random init, raw pixels (in that order). */
const rowsOf = (file: string): readonly Row[] => {
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`bash scripts/ablations.sh probes\` first`)
  const rows: unknown = Reflect.get(JSON.parse(readFileSync(file, 'utf8')) as object, 'rows')
  if (!Array.isArray(rows) || rows.length < 2 || !rows.every(isRow)) throw new Error(`${file}: expected {rows: [{method, linearTop1, knnTop1}, …]}`)
  return rows
}

const pct = (x: number | undefined): string => (x === undefined ? '—' : `${(100 * x).toFixed(1)}%`)

const [dir, ...runs] = process.argv.slice(2)
if (dir === undefined || runs.length === 0) {
  console.error('usage: tsx scripts/probe-table.ts <results dir> <run>...')
  process.exit(2)
}
const cell = (r: Row | undefined): string => `${pct(r?.linearTop1)} / ${pct(r?.knnTop1)}`
const table = runs.map((run) => ({ run, byLabel: LABELS.map((label) => rowsOf(join(dir, run, `synthetic-${label}`, 'eval.json'))) }))
console.log(`| encoder (trained on Fashion-MNIST) | ${LABELS.map((l) => `${l}: linear / kNN`).join(' | ')} |`)
console.log(`| :--- | ${LABELS.map(() => '---:').join(' | ')} |`)
for (const { run, byLabel } of table) console.log(`| ${run} | ${byLabel.map((rows) => cell(rows[0])).join(' | ')} |`)
for (const { run, byLabel } of table) console.log(`| ${run} (random init) | ${byLabel.map((rows) => cell(rows[1])).join(' | ')} |`)
const first = table[0]
if (first !== undefined) console.log(`| raw pixels | ${first.byLabel.map((rows) => cell(rows.find((r) => r.method === 'raw pixels'))).join(' | ')} |`)
