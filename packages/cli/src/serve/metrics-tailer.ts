/**
 * Incremental reads of a run's `metrics.jsonl` while `jepa train` appends to it.
 *
 *   readMetricsFrom(path, cursor) → { records, cursor, reset, more }
 *
 * Contract: a cursor is `"<inode>.<byte offset>"` (`"0.0"` or none = from the start). Only the
 * bytes after the offset are read (at most `maxBytes` per call; `more` says the file has more
 * complete lines), and only up to the last newline: a half-written last line is left for the next
 * call, and a complete line that is not a JSON object with a numeric `step` is skipped. The new
 * cursor points just after the last newline read. When the file was replaced (another inode: a
 * resumed run rewrites it) or shrank below the offset, reading restarts at 0 and `reset` is true,
 * so the client drops what it had. Values that are not finite numbers (written as `"NaN"`) are
 * left out of a record. A file that does not exist (or vanished) is an error with code ENOENT.
 */
import { open } from 'node:fs/promises'
import * as E from 'fp-ts/lib/Either.js'
import { type HttpFailure, badRequest } from './http.ts'

/** One metrics line: its step and its finite numeric values. */
export type MetricsPoint = Readonly<Record<string, number>> & { readonly step: number }

export interface MetricsChunk {
  readonly records: readonly MetricsPoint[]
  readonly cursor: string
  readonly reset: boolean
  readonly more: boolean
}

/** At most this many bytes are read per call (a long finished run arrives in a few chunks). */
export const MAX_CHUNK_BYTES = 4 * 1024 * 1024

interface Cursor {
  readonly inode: number
  readonly offset: number
}

/** Parses a client's cursor, or the 400 naming it. */
export const parseCursor = (text: string | null): E.Either<HttpFailure, Cursor> => {
  if (text === null || text === '') return E.right({ inode: 0, offset: 0 })
  const m = /^(\d{1,20})\.(\d{1,15})$/.exec(text)
  if (m === null) return E.left(badRequest(`from: expected a cursor "<inode>.<offset>" from an earlier reply, got ${JSON.stringify(text)}`))
  return E.right({ inode: Number(m[1]), offset: Number(m[2]) })
}

/** One line as a point, or undefined when it is not a metrics record. */
export const parseMetricsLine = (line: string): MetricsPoint | undefined => {
  let raw: unknown
  try {
    raw = JSON.parse(line)
  } catch {
    return undefined
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v
  const step = out['step']
  return step === undefined ? undefined : { ...out, step }
}

/** The complete lines after `cursor` (see the module contract). */
export const readMetricsFrom = async (path: string, cursor: Cursor, maxBytes = MAX_CHUNK_BYTES): Promise<MetricsChunk> => {
  const handle = await open(path, 'r')
  try {
    const info = await handle.stat()
    const reset = cursor.offset > 0 && (cursor.inode !== info.ino || cursor.offset > info.size)
    const start = reset ? 0 : cursor.offset
    const length = Math.max(0, Math.min(info.size - start, maxBytes))
    const bytes = new Uint8Array(length)
    let filled = 0
    while (filled < length) {
      const { bytesRead } = await handle.read(bytes, filled, length - filled, start + filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    const lastNewline = bytes.subarray(0, filled).lastIndexOf(10)
    const complete = lastNewline < 0 ? '' : new TextDecoder().decode(bytes.subarray(0, lastNewline))
    const records = complete.split('\n').map(parseMetricsLine).filter((r): r is MetricsPoint => r !== undefined)
    const next = start + lastNewline + 1
    return { records, cursor: `${info.ino}.${next}`, reset, more: lastNewline >= 0 && next < info.size && filled === maxBytes }
  } finally {
    await handle.close()
  }
}
