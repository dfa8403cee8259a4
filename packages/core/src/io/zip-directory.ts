/**
 * The central directory of a zip file with stored (uncompressed) entries — the container of
 * `torch.save` files since PyTorch 1.6 — read with a few positioned reads, never the whole file.
 *
 * Contract: `readZipDirectory(source)` finds the end-of-central-directory record (and its zip64
 * form when a field overflows), reads every central-directory entry and returns them by name.
 * Nothing is trusted: the directory must lie inside the file; every entry's local header must lie
 * before the directory; an entry's data range (`dataRange`, read lazily from its local header) must
 * end before the directory starts. Compressed entries are refused naming the entry and the method
 * (torch writes stored entries only). Errors are `TorchFileError`s naming the entry and the numbers.
 * CRC-32 is not verified here (that would read every byte); callers verify small entries.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { RandomAccessSource } from './random-access.ts'
import { type TorchFileError, torchFileError } from './torch-error.ts'

/** One entry of the central directory. */
export interface ZipEntry {
  readonly name: string
  /** Compression method (0 = stored). */
  readonly method: number
  readonly crc32: number
  readonly compressedSize: number
  readonly size: number
  /** Offset of the entry's local header. */
  readonly localHeaderOffset: number
}

/** A read central directory. */
export interface ZipDirectory {
  readonly entries: ReadonlyMap<string, ZipEntry>
  /** Offset of the central directory (entry data must end before it). */
  readonly directoryOffset: number
}

const EOCD = 0x06054b50
const ZIP64_LOCATOR = 0x07064b50
const ZIP64_EOCD = 0x06064b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50
const MAX_COMMENT = 0xffff
const EOCD_SIZE = 22

const u64 = (view: DataView, at: number): number => {
  const v = view.getBigUint64(at, true)
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(v)
}

const viewOf = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** Locates the end-of-central-directory record: its offset and bytes. */
const findEocd = (src: RandomAccessSource): E.Either<TorchFileError, number> => {
  if (src.size < EOCD_SIZE) return E.left(torchFileError(src.name, 'zip', `a zip file (at least ${EOCD_SIZE} bytes)`, `${src.size} bytes (truncated, or not a torch.save file)`))
  const tailLength = Math.min(src.size, EOCD_SIZE + MAX_COMMENT)
  const tail = src.read(src.size - tailLength, tailLength)
  const view = viewOf(tail)
  for (let at = tailLength - EOCD_SIZE; at >= 0; at--) {
    if (view.getUint32(at, true) === EOCD && at + EOCD_SIZE + view.getUint16(at + 20, true) === tailLength) return E.right(src.size - tailLength + at)
  }
  return E.left(torchFileError(src.name, 'zip', 'an end-of-central-directory record in the last 64 KiB', 'none (the file is truncated, or not a torch.save zip; legacy pre-1.6 torch.save files are not supported)'))
}

/** Reads the central directory of a zip file. */
export const readZipDirectory = (src: RandomAccessSource): E.Either<TorchFileError, ZipDirectory> => {
  const eocdAt = findEocd(src)
  if (E.isLeft(eocdAt)) return eocdAt
  const eocd = viewOf(src.read(eocdAt.right, EOCD_SIZE))
  let count = eocd.getUint16(10, true)
  let dirSize = eocd.getUint32(12, true)
  let dirOffset = eocd.getUint32(16, true)
  let dirEnd = eocdAt.right
  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
    const locatorAt = eocdAt.right - 20
    if (locatorAt < 0 || viewOf(src.read(locatorAt, 4)).getUint32(0, true) !== ZIP64_LOCATOR) {
      return E.left(torchFileError(src.name, 'zip', 'a zip64 end-of-central-directory locator (the record has overflowing fields)', 'none'))
    }
    const z64At = u64(viewOf(src.read(locatorAt, 20)), 8)
    if (!(z64At + 56 <= locatorAt)) return E.left(torchFileError(src.name, 'zip64 end of central directory', `an offset ≤ ${locatorAt - 56}`, String(z64At)))
    const z64 = viewOf(src.read(z64At, 56))
    if (z64.getUint32(0, true) !== ZIP64_EOCD) return E.left(torchFileError(src.name, 'zip64 end of central directory', 'its signature', `0x${z64.getUint32(0, true).toString(16)}`))
    count = u64(z64, 32)
    dirSize = u64(z64, 40)
    dirOffset = u64(z64, 48)
    dirEnd = z64At
  }
  if (!(dirOffset + dirSize <= dirEnd)) {
    return E.left(torchFileError(src.name, 'zip central directory', `to end by byte ${dirEnd}`, `offset ${dirOffset} + size ${dirSize} (the file is truncated or corrupt)`))
  }
  const dir = src.read(dirOffset, dirSize)
  const view = viewOf(dir)
  const decoder = new TextDecoder('utf-8', { fatal: false })
  const entries = new Map<string, ZipEntry>()
  let at = 0
  for (let i = 0; i < count; i++) {
    if (at + 46 > dirSize || view.getUint32(at, true) !== CENTRAL) {
      return E.left(torchFileError(src.name, `zip central directory entry ${i}`, 'a central-directory header', at + 46 > dirSize ? 'the end of the directory' : 'another signature'))
    }
    const nameLength = view.getUint16(at + 28, true)
    const extraLength = view.getUint16(at + 30, true)
    const commentLength = view.getUint16(at + 32, true)
    if (at + 46 + nameLength + extraLength + commentLength > dirSize) {
      return E.left(torchFileError(src.name, `zip central directory entry ${i}`, 'its name and extra fields inside the directory', 'a record running past it'))
    }
    const name = decoder.decode(dir.subarray(at + 46, at + 46 + nameLength))
    let compressedSize = view.getUint32(at + 20, true)
    let size = view.getUint32(at + 24, true)
    let localHeaderOffset = view.getUint32(at + 42, true)
    // Zip64 extended information: the overflowing fields, in this order.
    let extra = at + 46 + nameLength
    const extraEnd = extra + extraLength
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true)
      const length = view.getUint16(extra + 2, true)
      if (id === 0x0001) {
        let field = extra + 4
        const next = (): number => {
          if (field + 8 > extra + 4 + length) return Number.NaN
          const v = u64(view, field)
          field += 8
          return v
        }
        if (size === 0xffffffff) size = next()
        if (compressedSize === 0xffffffff) compressedSize = next()
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next()
      }
      extra += 4 + length
    }
    const entry: ZipEntry = { name, method: view.getUint16(at + 10, true), crc32: view.getUint32(at + 16, true), compressedSize, size, localHeaderOffset }
    if (![compressedSize, size, localHeaderOffset].every((n) => Number.isSafeInteger(n)) || localHeaderOffset + 30 > dirOffset) {
      return E.left(torchFileError(src.name, `zip entry "${name}"`, `a local header before the central directory (byte ${dirOffset})`, `offset ${localHeaderOffset}, sizes ${compressedSize}/${size}`))
    }
    entries.set(name, entry)
    at += 46 + nameLength + extraLength + commentLength
  }
  return E.right({ entries, directoryOffset: dirOffset })
}

/** The byte range of a stored entry's data, from its local header; checked against the directory. */
export const dataRange = (src: RandomAccessSource, dir: ZipDirectory, entry: ZipEntry): E.Either<TorchFileError, { readonly offset: number; readonly size: number }> => {
  const where = `zip entry "${entry.name}"`
  if (entry.method !== 0 || entry.compressedSize !== entry.size) {
    return E.left(torchFileError(src.name, where, 'a stored (uncompressed) entry, as torch.save writes', `compression method ${entry.method}`))
  }
  const header = viewOf(src.read(entry.localHeaderOffset, 30))
  if (header.getUint32(0, true) !== LOCAL) return E.left(torchFileError(src.name, where, `a local header at byte ${entry.localHeaderOffset}`, 'another signature'))
  const offset = entry.localHeaderOffset + 30 + header.getUint16(26, true) + header.getUint16(28, true)
  if (!(offset + entry.size <= dir.directoryOffset)) {
    return E.left(torchFileError(src.name, where, `data ending by byte ${dir.directoryOffset} (the central directory)`, `${entry.size} bytes at ${offset}`))
  }
  return E.right({ offset, size: entry.size })
}
