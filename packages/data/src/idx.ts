/**
 * The IDX file format (LeCun's MNIST format, used by Fashion-MNIST), read from plain or gzipped
 * files. Layout: a big-endian magic `0x0000 TT RR` (TT = element type, only 0x08 = uint8 here;
 * RR = rank), RR big-endian uint32 dims, then exactly prod(dims) bytes. The header is validated
 * against the file length before anything of size prod(dims) is allocated; a truncated gzip stream,
 * a bad magic, a wrong rank, short or trailing data are each a `DataError` naming the file.
 * A gzipped file is inflated only after its header (read from a partial inflate) is checked: it must
 * declare at most `MAX_IDX_BYTES`, and no more than deflate can produce from the compressed length
 * (`MAX_DEFLATE_RATIO`); the inflate is then capped at that size, so a lying header or a gzip bomb
 * fails before it is allocated.
 */
import { readFileSync } from 'node:fs'
import { constants as zlibConstants, gunzipSync } from 'node:zlib'
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

const readRaw = (file: string): Either<DataError, Buffer> => {
  try {
    return right(readFileSync(file))
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e)
    return left(dataError({ file }, 'a readable file', code === 'ENOENT' ? 'no such file' : code))
  }
}

const gunzip = (raw: Uint8Array, file: string, maxOutputLength?: number): Either<DataError, Uint8Array> => {
  try {
    return right(gunzipSync(raw, maxOutputLength === undefined ? {} : { maxOutputLength }))
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    if (err.code === 'ERR_BUFFER_TOO_LARGE') {
      return left(dataError({ file, field: 'data' }, `at most ${maxOutputLength} bytes once decompressed (as the header declares)`, 'more', 'trailing bytes after the data'))
    }
    return left(dataError({ file }, 'a complete gzip stream', `a corrupt or truncated one (${err.message})`))
  }
}

/** Reads a file's bytes, gunzipping when it is gzip; errors name the file. */
export const readMaybeGzip = (file: string): Either<DataError, Uint8Array> => {
  const raw = readRaw(file)
  if (raw._tag === 'Left' || !isGzip(raw.right)) return raw
  return gunzip(raw.right, file)
}

/**
 * The header of a gzipped IDX file, read from a partial inflate of its first bytes, gives the one
 * output size to allow: a stream that inflates to more is refused before it is all allocated.
 */
const declaredLength = (raw: Uint8Array, file: string, rank?: number): Either<DataError, number> => {
  let head: Uint8Array
  try {
    head = gunzipSync(raw.subarray(0, Math.min(raw.length, 4096)), { finishFlush: zlibConstants.Z_SYNC_FLUSH })
  } catch (e) {
    return left(dataError({ file }, 'a gzip stream', `a corrupt one (${e instanceof Error ? e.message : String(e)})`))
  }
  // Anything but a well-formed header of the wanted rank: inflate fully and let parseIdx say what is wrong.
  if (head.length < 4 || head[0] !== 0 || head[1] !== 0 || head[2] !== 0x08 || (rank !== undefined && head[3] !== rank)) return right(Infinity)
  const fileRank = head[3]!
  const header = 4 + 4 * fileRank
  if (head.length < header) return right(Infinity)
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength)
  let count = 1
  for (let r = 0; r < fileRank; r++) count *= view.getUint32(4 + 4 * r, false)
  return right(header + count)
}

/** The largest IDX file (decompressed) this reader accepts: 1 GiB (Fashion-MNIST's train images are 47 MB). */
export const MAX_IDX_BYTES = 2 ** 30

/** Deflate's best compression is about 1032:1; a stream cannot inflate to more than this times its length. */
export const MAX_DEFLATE_RATIO = 1032

/** Reads and parses an IDX file (plain or gzipped). */
export const readIdx = (file: string, rank?: number): Either<DataError, IdxArray> => {
  const raw = readRaw(file)
  if (raw._tag === 'Left') return raw
  if (!isGzip(raw.right)) return parseIdx(raw.right, file, rank)
  const declared = declaredLength(raw.right, file, rank)
  if (declared._tag === 'Left') return declared
  const possible = raw.right.length * MAX_DEFLATE_RATIO + 1024
  if (Number.isFinite(declared.right)) {
    if (declared.right > MAX_IDX_BYTES) {
      return left(dataError({ file, field: 'dims' }, `a header declaring at most ${MAX_IDX_BYTES} bytes`, `${declared.right} bytes`, 'refused before inflating'))
    }
    if (declared.right > possible) {
      return left(dataError({ file, field: 'dims' }, `a header declaring at most ${possible} bytes (what ${raw.right.length} gzipped bytes can inflate to)`, `${declared.right} bytes`, 'the header lies about the data; refused before inflating'))
    }
  }
  // Cap the inflate at the size the header declares (or what the stream could hold); parseIdx checks the rest.
  const bytes = gunzip(raw.right, file, Math.min(declared.right, possible, MAX_IDX_BYTES))
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
