/**
 * The safetensors format, pure (no tfjs, no file system): `encodeSafetensors` and
 * `decodeSafetensors`.
 *
 * Layout: 8-byte little-endian u64 N; N bytes of UTF-8 JSON (padded with trailing spaces so that the
 * data starts at a multiple of 8), `{ "__metadata__": { string: string }, "<name>": { "dtype": "F32",
 * "shape": [2, 3], "data_offsets": [begin, end] }, … }`; then the data section, offsets relative to its
 * first byte, tensors packed little-endian with no holes.
 *
 * Contract: `decodeSafetensors` validates the whole header against the file length BEFORE allocating
 * any tensor memory (see docs/io.md for the list of checks) and returns `Left(SafetensorsError)`
 * naming the source, the tensor and the expected and actual numbers. Decoded arrays own their memory
 * (bytes are copied out of the input, so unaligned offsets are harmless and the input can be freed).
 * Stored dtypes are read as F32 or I32 (see dtypes.ts). `encodeSafetensors` writes F32 and I32 in the
 * order given, throws (naming the tensor) on data whose length does not match its shape, and always
 * yields bytes that `decodeSafetensors` reads back bit-exactly.
 *
 * @example
 * import { encodeSafetensors, decodeSafetensors } from '@jepa-ts/core'
 * import * as E from 'fp-ts/lib/Either.js'
 * const bytes = encodeSafetensors({ w: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } }, { step: '10' })
 * const back = decodeSafetensors(bytes)
 * console.assert(E.isRight(back) && back.right.tensors.w!.data[1] === 2 && back.right.metadata.step === '10')
 */
import * as E from 'fp-ts/lib/Either.js'
import { parseJson } from '../config/json-syntax.ts'
import { DTYPES, type MemoryKind, type SafetensorsDtype, hostIsLittleEndian, isSafetensorsDtype, readElements } from './dtypes.ts'
import { type SafetensorsError, safetensorsError } from './safetensors-error.ts'

/** A tensor in host memory. */
export type HostTensor =
  | { readonly dtype: 'F32'; readonly shape: ReadonlyArray<number>; readonly data: Float32Array }
  | { readonly dtype: 'I32'; readonly shape: ReadonlyArray<number>; readonly data: Int32Array }

/** A decoded tensor: its in-memory data and the dtype it was stored as. */
export type DecodedTensor = HostTensor & { readonly storedAs: SafetensorsDtype }

/** The content of a safetensors file. */
export interface DecodedSafetensors {
  /** Tensors in header order. */
  readonly tensors: Readonly<Record<string, DecodedTensor>>
  readonly metadata: Readonly<Record<string, string>>
}

/** The largest header we accept (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100_000_000

/**
 * The most tensors a header may list. Parsing allocates an object per entry (about a kilobyte
 * each), so a header of a million empty tensors would take a gigabyte before any check; the count is
 * bounded from the text first (real models list thousands).
 */
export const MAX_TENSORS = 100_000

/** The deepest JSON nesting a header may have (real headers have 3 levels). */
export const MAX_HEADER_DEPTH = 8

const METADATA_KEY = '__metadata__'

/** An upper bound of the entries in a header text: every entry has a "data_offsets" key. */
const entryBound = (text: string, stopAt: number): number => {
  let n = 0
  for (let at = text.indexOf('"data_offsets"'); at >= 0 && n <= stopAt; at = text.indexOf('"data_offsets"', at + 14)) n++
  return n
}

/** Assigns an own enumerable property, even for names like `__proto__`. */
const setOwn = <V>(record: Record<string, V>, key: string, value: V): void => {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true })
}

const showShape = (shape: ReadonlyArray<number>): string => `[${shape.join(', ')}]`

const isPlainObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

const isCount = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0

const describe = (u: unknown): string => {
  if (u === undefined) return 'nothing (the field is missing)'
  const text = JSON.stringify(u) ?? String(u)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** Product of dims, or undefined when it exceeds the safe integer range. */
const elementCount = (shape: ReadonlyArray<number>): number | undefined => {
  let n = 1
  for (const d of shape) {
    n *= d
    if (!Number.isSafeInteger(n)) return undefined
  }
  return n
}

interface Entry {
  readonly name: string
  readonly dtype: SafetensorsDtype
  readonly shape: ReadonlyArray<number>
  readonly count: number
  readonly begin: number
  readonly end: number
}

/** Reads and validates a safetensors byte string; allocates tensor memory only once all checks pass. */
export const decodeSafetensors = (bytes: Uint8Array, source = '<bytes>'): E.Either<SafetensorsError, DecodedSafetensors> => {
  const fail = (tensor: string | undefined, what: string, expected: string, actual: string): E.Either<SafetensorsError, never> =>
    E.left(safetensorsError(source, tensor, what, expected, actual))

  if (bytes.byteLength < 8) return fail(undefined, 'file length', 'at least 8 bytes (the u64 header length)', `${bytes.byteLength} bytes`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const lengthLow = view.getUint32(0, true)
  const lengthHigh = view.getUint32(4, true)
  const headerLength = lengthHigh * 2 ** 32 + lengthLow
  if (lengthHigh !== 0 || headerLength > MAX_HEADER_BYTES) {
    return fail(undefined, 'header length', `at most ${MAX_HEADER_BYTES} bytes`, `${view.getBigUint64(0, true)} bytes`)
  }
  if (8 + headerLength > bytes.byteLength) {
    return fail(undefined, 'header length', `at most ${bytes.byteLength - 8} bytes (the file is ${bytes.byteLength} bytes)`, `${headerLength} bytes`)
  }
  let headerText: string
  try {
    headerText = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + headerLength))
  } catch {
    return fail(undefined, 'header', 'valid UTF-8', 'an invalid byte sequence')
  }
  if (entryBound(headerText, MAX_TENSORS) > MAX_TENSORS) {
    return fail(undefined, 'header', `at most ${MAX_TENSORS} tensors`, `more ("data_offsets" appears over ${MAX_TENSORS} times in a ${headerLength}-byte header)`)
  }
  const parsed = parseJson(headerText, MAX_HEADER_DEPTH)
  if (E.isLeft(parsed)) {
    const { line, column, reason } = parsed.left
    return fail(undefined, 'header', 'valid JSON', `${reason} at line ${line}, column ${column}`)
  }
  const header = parsed.right
  if (!isPlainObject(header)) return fail(undefined, 'header', 'a JSON object', describe(header))

  const dataLength = bytes.byteLength - 8 - headerLength
  const metadata: Record<string, string> = {}
  const entries: Entry[] = []
  for (const [name, info] of Object.entries(header)) {
    if (name === METADATA_KEY) {
      if (!isPlainObject(info)) return fail(undefined, METADATA_KEY, 'an object of strings', describe(info))
      for (const [key, value] of Object.entries(info)) {
        if (typeof value !== 'string') return fail(undefined, `${METADATA_KEY}.${key}`, 'a string', describe(value))
        setOwn(metadata, key, value)
      }
      continue
    }
    if (!isPlainObject(info)) return fail(name, 'entry', 'an object with dtype, shape and data_offsets', describe(info))
    const { dtype, shape, data_offsets: offsets } = info
    if (typeof dtype !== 'string') return fail(name, 'dtype', 'a dtype name such as "F32"', describe(dtype))
    if (!isSafetensorsDtype(dtype)) return fail(name, 'dtype', `one of ${Object.keys(DTYPES).join(', ')}`, JSON.stringify(dtype))
    if (!Array.isArray(shape)) return fail(name, 'shape', 'an array of non-negative integers', describe(shape))
    const badDim = shape.findIndex((d) => !isCount(d))
    if (badDim >= 0) return fail(name, `shape[${badDim}]`, 'a non-negative integer', describe(shape[badDim]))
    const dims = shape as number[]
    if (!Array.isArray(offsets) || offsets.length !== 2) return fail(name, 'data_offsets', 'an array [begin, end]', describe(offsets))
    const [begin, end] = offsets as unknown[]
    if (!isCount(begin) || !isCount(end)) return fail(name, 'data_offsets', 'two non-negative integers [begin, end]', describe(offsets))
    if (end < begin) return fail(name, 'data_offsets', `end ≥ begin`, `[${begin}, ${end}]`)
    if (end > dataLength) {
      return fail(name, 'data_offsets', `end ≤ ${dataLength} (the data section's length)`, `[${begin}, ${end}]`)
    }
    const count = elementCount(dims)
    const itemSize = DTYPES[dtype].itemSize
    const needed = count === undefined ? Infinity : count * itemSize
    if (count === undefined || !Number.isSafeInteger(needed)) {
      return fail(name, 'shape', 'an element count below 2^53', showShape(dims))
    }
    if (end - begin !== needed) {
      return fail(
        name,
        `byte length of data_offsets [${begin}, ${end}]`,
        `${needed} (shape ${showShape(dims)} × ${itemSize} bytes of ${dtype})`,
        `${end - begin}`,
      )
    }
    entries.push({ name, dtype, shape: dims, count, begin, end })
  }

  // The data section must be covered exactly: sorted by offset, each tensor starts where the last ended.
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end)
  let position = 0
  let previous: Entry | undefined
  for (const entry of byOffset) {
    if (entry.begin < position) {
      return fail(
        entry.name,
        'data_offsets',
        `begin ≥ ${position} (tensor "${previous?.name}" ends there)`,
        `[${entry.begin}, ${entry.end}], which overlaps it`,
      )
    }
    if (entry.begin > position) {
      return fail(entry.name, 'data_offsets', `begin = ${position} (tensors must be contiguous)`, `[${entry.begin}, ${entry.end}], leaving bytes [${position}, ${entry.begin}) unused`)
    }
    position = entry.end
    previous = entry
  }
  if (position !== dataLength) {
    return fail(undefined, 'data section', `${position} bytes (the end of the last tensor)`, `${dataLength} bytes, leaving bytes [${position}, ${dataLength}) unused`)
  }

  const dataStart = 8 + headerLength
  const tensors: Record<string, DecodedTensor> = {}
  for (const entry of entries) {
    // slice() copies into a fresh buffer at offset 0: aligned, and independent of the input.
    const raw = bytes.slice(dataStart + entry.begin, dataStart + entry.end)
    const read = readElements(entry.dtype, raw, entry.count)
    if ('badIndex' in read) {
      return fail(entry.name, `value at flat index ${read.badIndex}`, `an int32 (stored as ${entry.dtype}, read as I32)`, read.badValue)
    }
    const kind: MemoryKind = DTYPES[entry.dtype].readAs
    setOwn<DecodedTensor>(
      tensors,
      entry.name,
      kind === 'F32'
        ? { dtype: 'F32', shape: entry.shape, data: read.data as Float32Array, storedAs: entry.dtype }
        : { dtype: 'I32', shape: entry.shape, data: read.data as Int32Array, storedAs: entry.dtype },
    )
  }
  return E.right({ tensors, metadata })
}

const checkTensor = (name: string, tensor: HostTensor): void => {
  if (name === METADATA_KEY) throw new RangeError(`encodeSafetensors: "${METADATA_KEY}" is reserved and cannot name a tensor`)
  const expectedArray = tensor.dtype === 'F32' ? Float32Array : tensor.dtype === 'I32' ? Int32Array : undefined
  if (expectedArray === undefined) throw new TypeError(`encodeSafetensors: tensor "${name}": dtype must be F32 or I32, got ${String((tensor as { dtype: unknown }).dtype)}`)
  if (!(tensor.data instanceof expectedArray)) {
    throw new TypeError(`encodeSafetensors: tensor "${name}": ${tensor.dtype} data must be a ${expectedArray.name}, got ${(tensor.data as object).constructor.name}`)
  }
  if (!tensor.shape.every(isCount)) throw new RangeError(`encodeSafetensors: tensor "${name}": shape must be non-negative integers, got ${showShape(tensor.shape)}`)
  const count = elementCount(tensor.shape)
  if (count !== tensor.data.length) {
    throw new RangeError(`encodeSafetensors: tensor "${name}": shape ${showShape(tensor.shape)} holds ${count} elements, data has ${tensor.data.length}`)
  }
}

/** Serializes F32/I32 tensors (in the order given) and string metadata to safetensors bytes. */
export const encodeSafetensors = (
  tensors: Readonly<Record<string, HostTensor>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array => {
  const header: Record<string, unknown> = {}
  if (metadata !== undefined && Object.keys(metadata).length > 0) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') throw new TypeError(`encodeSafetensors: metadata "${key}" must be a string, got ${typeof value}`)
    }
    setOwn(header, METADATA_KEY, { ...metadata })
  }
  let offset = 0
  const parts: Array<readonly [HostTensor, number]> = []
  for (const [name, tensor] of Object.entries(tensors)) {
    checkTensor(name, tensor)
    const byteLength = tensor.data.byteLength
    setOwn(header, name, { dtype: tensor.dtype, shape: [...tensor.shape], data_offsets: [offset, offset + byteLength] })
    parts.push([tensor, offset])
    offset += byteLength
  }
  const json = new TextEncoder().encode(JSON.stringify(header))
  const headerLength = Math.ceil(json.length / 8) * 8
  const out = new Uint8Array(8 + headerLength + offset)
  const view = new DataView(out.buffer)
  view.setUint32(0, headerLength % 2 ** 32, true)
  view.setUint32(4, Math.floor(headerLength / 2 ** 32), true)
  out.set(json, 8)
  out.fill(0x20, 8 + json.length, 8 + headerLength)
  const dataStart = 8 + headerLength
  for (const [tensor, at] of parts) {
    const start = dataStart + at
    if (hostIsLittleEndian) out.set(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength), start)
    else if (tensor.dtype === 'F32') {
      const bits = new Uint32Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.length)
      for (let i = 0; i < bits.length; i++) view.setUint32(start + 4 * i, bits[i]!, true)
    } else for (let i = 0; i < tensor.data.length; i++) view.setInt32(start + 4 * i, tensor.data[i]!, true)
  }
  return out
}
