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
 * ones — written after the checkpoint by the interrupted run — are dropped, so each step appears once;
 * `priorSeconds` is then the kept lines' last `elapsedSeconds`, so a resumed run's times continue.
 * That rewrite is atomic (a temp file beside it, fsync, rename): a crash during it leaves the old file
 * or the new one, never a truncated one. An append that fails (a full disk) truncates the file back to
 * its last complete line and throws a `MetricsLogError` naming the file.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { basename, dirname, join } from 'node:path'

/** One line of the metrics file. */
export interface MetricsRecord {
  readonly step: number
  readonly [name: string]: number
}

/** The writer of a metrics file. */
export interface MetricsLog {
  readonly path: string
  append(record: MetricsRecord): void
  /** The `elapsedSeconds` of the last kept line (0 for a new run): what a resumed run adds its own time to. */
  readonly priorSeconds: number
}

/** The metrics file cannot be written (the message names it; the file ends with a complete line). */
export class MetricsLogError extends Error {
  constructor(readonly file: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MetricsLogError'
  }
}

/** Writes bytes at a file descriptor's position, like `fs.writeSync` (failure injection in tests). */
export type WriteSync = (fd: number, bytes: Uint8Array, offset: number, length: number) => number

/** Options of `openMetricsLog`. */
export interface MetricsLogOptions {
  readonly writeSync?: WriteSync
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

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

const writeFully = (write: WriteSync, fd: number, bytes: Uint8Array): void => {
  for (let offset = 0; offset < bytes.byteLength;) {
    const n = write(fd, bytes, offset, bytes.byteLength - offset)
    if (n <= 0) throw new Error(`write made no progress at byte ${offset} of ${bytes.byteLength}`)
    offset += n
  }
}

/** The lines of `text` for steps ≤ `keepThroughStep` (a line cut by a crash is dropped). */
const linesThrough = (text: string, keepThroughStep: number): string[] =>
  text.split('\n').filter((line) => {
    if (line.trim() === '') return false
    try {
      const step = (JSON.parse(line) as { step?: unknown }).step
      return typeof step === 'number' && step <= keepThroughStep
    } catch {
      return false
    }
  })

/** Replaces `path` with `text` through a temp file and a rename. */
const replaceAtomically = (path: string, text: string, write: WriteSync): void => {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  let fd: number | undefined
  try {
    fd = openSync(temp, 'wx')
    writeFully(write, fd, Buffer.from(text))
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(temp, path)
  } catch (e) {
    if (fd !== undefined) closeSync(fd)
    try { unlinkSync(temp) } catch { /* already gone */ }
    throw new MetricsLogError(path, `cannot rewrite the metrics file ${path} (it is unchanged): ${reasonOf(e)}`, { cause: e })
  }
}

/** Opens the metrics file of a run (see the module contract for `keepThroughStep`). */
export const openMetricsLog = (path: string, keepThroughStep?: number, options: MetricsLogOptions = {}): MetricsLog => {
  const write = options.writeSync ?? writeSync
  const kept = keepThroughStep === undefined || !existsSync(path) ? [] : linesThrough(readFileSync(path, 'utf8'), keepThroughStep)
  replaceAtomically(path, kept.map((l) => `${l}\n`).join(''), write)
  const append = (record: MetricsRecord): void => {
    let fd: number | undefined
    let size = 0
    try {
      fd = openSync(path, 'a')
      size = fstatSync(fd).size
      writeFully(write, fd, Buffer.from(`${metricsLine(record)}\n`))
      closeSync(fd)
    } catch (e) {
      if (fd !== undefined) {
        try { ftruncateSync(fd, size) } catch { /* the line may stay cut; readers skip it */ }
        closeSync(fd)
      }
      throw new MetricsLogError(path, `cannot append step ${record.step} to the metrics file ${path}: ${reasonOf(e)}`, { cause: e })
    }
  }
  return { path, append, priorSeconds: priorSecondsOf(kept) }
}

/** The `elapsedSeconds` of the last kept line (0 when none has one): the time earlier invocations trained. */
const priorSecondsOf = (kept: readonly string[]): number => {
  const last = kept.at(-1)
  if (last === undefined) return 0
  const seconds = (JSON.parse(last) as { elapsedSeconds?: unknown }).elapsedSeconds
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds : 0
}
