/**
 * The IDX file format (LeCun's MNIST format, used by Fashion-MNIST), read from plain or gzipped
 * files. Layout: a big-endian magic `0x0000 TT RR` (TT = element type, only 0x08 = uint8 here;
 * RR = rank), RR big-endian uint32 dims, then exactly prod(dims) bytes. The header is validated
 * against the file length before anything of size prod(dims) is allocated; a truncated gzip stream,
 * a bad magic, a wrong rank, short or trailing data are each a `DataError` naming the file.
 */
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { type Either, left, right } from 'fp-ts/lib/Either.js'
import { type DataError, dataError } from './data-error.ts'

/** An IDX array: its dims and its uint8 data (a view into the file's bytes). */
export interface IdxArray {
  readonly dims: readonly number[]
  readonly data: Uint8Array
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`

/** Parses IDX bytes; `file` names the source in errors; `rank`, when given, is required. */
export const parseIdx = (bytes: Uint8Array, file: string, rank?: number): Either<DataError, IdxArray> => {
  if (bytes.length < 4) return left(dataError({ file, field: 'magic' }, 'a 4-byte IDX magic number', `a file of ${bytes.length} bytes`, 'truncated or not an IDX file'))
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const magic = view.getUint32(0, false)
  const type = bytes[2]!
  const fileRank = bytes[3]!
  const expectedMagic = rank === undefined ? '0x000008RR (uint8 data)' : hex(0x800 + rank)
  if (bytes[0] !== 0 || bytes[1] !== 0 || type !== 0x08 || fileRank === 0) {
    return left(dataError({ file, field: 'magic' }, `IDX magic ${expectedMagic}`, hex(magic), 'not an uint8 IDX file'))
  }
  if (rank !== undefined && fileRank !== rank) {
    return left(dataError({ file, field: 'magic' }, `IDX magic ${expectedMagic} (rank ${rank})`, `${hex(magic)} (rank ${fileRank})`))
  }
  const header = 4 + 4 * fileRank
  if (bytes.length < header) {
    return left(dataError({ file, field: 'dims' }, `a ${header}-byte header (magic + ${fileRank} dims)`, `a file of ${bytes.length} bytes`, 'truncated header'))
  }
  const dims: number[] = []
  let count = 1
  for (let r = 0; r < fileRank; r++) {
    const d = view.getUint32(4 + 4 * r, false)
    dims.push(d)
    count *= d
  }
  const available = bytes.length - header
  if (count !== available) {
    const what = count > available ? 'truncated data' : 'trailing bytes after the data'
    return left(dataError({ file, field: 'data' }, `${count} bytes of data for dims [${dims.join(', ')}]`, `${available} bytes`, what))
  }
  return right({ dims, data: bytes.subarray(header, header + count) })
}

/** True when the bytes start with the gzip magic 1f 8b. */
const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b

/** Reads a file's bytes, gunzipping when it is gzip; errors name the file. */
export const readMaybeGzip = (file: string): Either<DataError, Uint8Array> => {
  let raw: Buffer
  try {
    raw = readFileSync(file)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e)
    return left(dataError({ file }, 'a readable file', code === 'ENOENT' ? 'no such file' : code))
  }
  if (!isGzip(raw)) return right(raw)
  try {
    return right(gunzipSync(raw))
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e)
    return left(dataError({ file }, 'a complete gzip stream', `a corrupt or truncated one (${reason})`))
  }
}

/** Reads and parses an IDX file (plain or gzipped). */
export const readIdx = (file: string, rank?: number): Either<DataError, IdxArray> => {
  const bytes = readMaybeGzip(file)
  return bytes._tag === 'Left' ? bytes : parseIdx(bytes.right, file, rank)
}

/** Encodes an uint8 IDX array (for fixtures and exports); the inverse of `parseIdx`. */
export const encodeIdx = (dims: readonly number[], data: Uint8Array): Uint8Array => {
  const count = dims.reduce((a, b) => a * b, 1)
  if (count !== data.length) throw new RangeError(`encodeIdx: dims [${dims.join(', ')}] need ${count} bytes, got ${data.length}`)
  const header = 4 + 4 * dims.length
  const out = new Uint8Array(header + count)
  const view = new DataView(out.buffer)
  view.setUint32(0, 0x800 + dims.length, false)
  dims.forEach((d, r) => view.setUint32(4 + 4 * r, d, false))
  out.set(data, header)
  return out
}
