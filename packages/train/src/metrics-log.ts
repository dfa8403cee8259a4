/**
 * The metrics file of a run, `metrics.jsonl`: one JSON object per training step, appended and
 * flushed to the operating system line by line, so a crash loses at most the line being written.
 *
 *   {"step":12,"loss":0.41,"lr":0.0009,"wd":0.04,"gradNorm":1.3,"imagesPerSecond":812.5,"elapsedSeconds":0.9}
 *   {"step":20,"loss":0.39,…,"rankMe":7.9,"collapseStd":0.11}        (monitor metrics on their steps)
 *
 * `step` is the number of optimizer steps done after the line's step (1 for the first step). Every
 * value other than `step` is a number; non-finite numbers are written as strings (`"NaN"`,
 * `"Infinity"`) so every line stays valid JSON.
 * Contract of `openMetricsLog(path, keepThroughStep)`: without `keepThroughStep` the file starts
 * empty (a new run); with it (a resumed run at step s) the lines of steps ≤ s are kept and later
 * ones — written after the checkpoint by the interrupted run — are dropped, so each step appears once.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'

/** One line of the metrics file. */
export interface MetricsRecord {
  readonly step: number
  readonly [name: string]: number
}

/** The writer of a metrics file. */
export interface MetricsLog {
  readonly path: string
  append(record: MetricsRecord): void
}

const encodeValue = (v: number): number | string => (Number.isFinite(v) ? v : String(v))

/** One record as its JSON line (no newline). */
export const metricsLine = (record: MetricsRecord): string =>
  JSON.stringify(Object.fromEntries(Object.entries(record).map(([k, v]) => [k, encodeValue(v)])))

/** Parses a metrics file's text into records (the inverse of `metricsLine` per line). */
export const parseMetrics = (text: string): MetricsRecord[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const raw = JSON.parse(line) as Record<string, number | string>
      return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === 'number' ? v : Number(v)])) as MetricsRecord
    })

/** Opens the metrics file of a run (see the module contract for `keepThroughStep`). */
export const openMetricsLog = (path: string, keepThroughStep?: number): MetricsLog => {
  if (keepThroughStep === undefined || !existsSync(path)) writeFileSync(path, '')
  else {
    const kept = readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => {
        if (line.trim() === '') return false
        try {
          const step = (JSON.parse(line) as { step?: unknown }).step
          return typeof step === 'number' && step <= keepThroughStep
        } catch {
          return false // a line cut by a crash
        }
      })
    writeFileSync(path, kept.map((l) => `${l}\n`).join(''))
  }
  return { path, append: (record) => appendFileSync(path, `${metricsLine(record)}\n`) }
}
