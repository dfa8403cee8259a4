/**
 * Run discovery: what a runs folder holds, found by walking it (read-only, at most `MAX_DEPTH`
 * folders deep, never following a symlink, skipping hidden folders and `snapshots/`).
 *
 *   discoverRuns(realRoot) → { tables, runs }
 *
 * - a folder with `results.json` (written by `jepa compare`) is a comparison table: its rows, the
 *   learning curves and notes as written;
 * - a folder with `sweep.json` (written by `jepa sweep`) is a table too: one row per recipe, then
 *   the sweep's baselines;
 * - a folder with `metrics.jsonl` or `checkpoint.safetensors` is a run.
 * Ids are `/`-separated paths relative to the runs folder (`main`, `main/ijepa-main`; `.` for the
 * folder itself). A table file that is not valid JSON (a write in progress, a hand edit) is listed
 * with its `error` and no rows. A folder that vanishes during the walk is skipped, not an error.
 * A row is a baseline when it is raw pixels or a random initialization (the two baselines every
 * comparison shows, DESIGN §3.6).
 */
import { lstat, readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { isMissingPathError } from './http.ts'

/** How deep below the runs folder the walk goes (runs/<comparison>/<run> is depth 2). */
export const MAX_DEPTH = 4

/** One row of a table: the numbers as the JSON file has them, and whether it is a baseline. */
export type TableRow = Readonly<Record<string, unknown>> & { readonly method: string; readonly baseline: boolean }

/** A comparison or a sweep. */
export interface RunTable {
  readonly id: string
  readonly kind: 'comparison' | 'sweep'
  readonly file: string
  readonly notes: readonly string[]
  readonly rows: readonly TableRow[]
  readonly curves?: unknown
  readonly error?: string
}

/** A run directory. */
export interface RunEntry {
  readonly id: string
  readonly hasMetrics: boolean
  readonly hasCheckpoint: boolean
  /** The newest modification time of its metrics or checkpoint (ms since the epoch). */
  readonly modifiedMs: number
}

export interface Discovery {
  readonly tables: readonly RunTable[]
  readonly runs: readonly RunEntry[]
}

/** Raw pixels or a random initialization (the baselines of every comparison). */
export const isBaselineMethod = (method: string): boolean => method === 'raw pixels' || /random init/.test(method)

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const rowOf = (v: unknown, baseline?: boolean): TableRow | undefined =>
  isRecord(v) && typeof v['method'] === 'string' ? { ...v, method: v['method'], baseline: baseline ?? isBaselineMethod(v['method']) } : undefined

const rowsOf = (v: unknown, baseline?: boolean): TableRow[] =>
  Array.isArray(v) ? v.map((r) => rowOf(r, baseline)).filter((r): r is TableRow => r !== undefined) : []

const notesOf = (v: unknown): string[] => (Array.isArray(v) ? v.filter((n): n is string => typeof n === 'string') : [])

/** The table of a results.json's parsed value. */
export const comparisonTable = (id: string, file: string, json: unknown): RunTable =>
  isRecord(json) && Array.isArray(json['rows'])
    ? { id, kind: 'comparison', file, notes: notesOf(json['notes']), rows: rowsOf(json['rows']), ...(json['curves'] === undefined ? {} : { curves: json['curves'] }) }
    : { id, kind: 'comparison', file, notes: [], rows: [], error: `${file}: expected an object with "rows" (an array)` }

/** The table of a sweep.json's parsed value: each recipe's row, then the baselines. */
export const sweepTable = (id: string, file: string, json: unknown): RunTable => {
  if (!isRecord(json) || !Array.isArray(json['recipes'])) return { id, kind: 'sweep', file, notes: [], rows: [], error: `${file}: expected an object with "recipes" (an array)` }
  const recipes = json['recipes'].map((r) => (isRecord(r) ? rowOf(r['row'], false) : undefined)).filter((r): r is TableRow => r !== undefined)
  return { id, kind: 'sweep', file, notes: notesOf(json['notes']), rows: [...recipes, ...rowsOf(json['baselines'], true)] }
}

const readTable = async (dir: string, id: string, name: 'results.json' | 'sweep.json'): Promise<RunTable | undefined> => {
  const file = id === '.' ? name : `${id}/${name}`
  let text: string
  try {
    text = await readFile(join(dir, name), 'utf8')
  } catch (e) {
    if (isMissingPathError(e)) return undefined
    throw e
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return { id, kind: name === 'results.json' ? 'comparison' : 'sweep', file, notes: [], rows: [], error: `${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})` }
  }
  return name === 'results.json' ? comparisonTable(id, file, json) : sweepTable(id, file, json)
}

/** Walks the runs folder (see the module contract). */
export const discoverRuns = async (realRoot: string): Promise<Discovery> => {
  const tables: RunTable[] = []
  const runs: RunEntry[] = []
  const visit = async (dir: string, id: string, depth: number): Promise<void> => {
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch (e) {
      if (isMissingPathError(e)) return
      throw e
    }
    const files = new Set(entries.filter((e) => e.isFile()).map((e) => e.name))
    for (const name of ['results.json', 'sweep.json'] as const) {
      if (!files.has(name)) continue
      const table = await readTable(dir, id, name)
      if (table !== undefined) tables.push(table)
    }
    if (files.has('metrics.jsonl') || files.has('checkpoint.safetensors')) {
      let modifiedMs = 0
      for (const f of ['metrics.jsonl', 'checkpoint.safetensors']) {
        if (!files.has(f)) continue
        try {
          modifiedMs = Math.max(modifiedMs, (await lstat(join(dir, f))).mtimeMs)
        } catch (e) {
          if (!isMissingPathError(e)) throw e
        }
      }
      runs.push({ id, hasMetrics: files.has('metrics.jsonl'), hasCheckpoint: files.has('checkpoint.safetensors'), modifiedMs })
    }
    if (depth >= MAX_DEPTH) return
    const subdirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'snapshots' && e.name !== 'node_modules').map((e) => e.name).sort()
    for (const sub of subdirs) await visit(join(dir, sub), id === '.' ? sub : `${id}/${sub}`, depth + 1)
  }
  await visit(realRoot, '.', 0)
  return { tables, runs }
}
