/**
 * Test-only writer of torch.save files, from TypeScript, so the reader's refusal cases and the
 * large-file test need no Python: a zip of stored entries (CRC-32 filled in) and a pickle
 * assembler for state dicts (`OrderedDict` of `_rebuild_tensor_v2` over persistent-id storages, the
 * bytes torch.save writes with protocol 2). `writeSparseTorchFile` lays the storages out as holes
 * (a sparse file: gigabytes of zeros that cost no disk).
 */
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs'
import { crc32 } from 'node:zlib'
import { concatBytes } from '@jepa-ts/core'

const enc = new TextEncoder()

const le = (bytes: number, value: number): number[] => {
  const out: number[] = []
  let v = value
  for (let i = 0; i < bytes; i++) {
    out.push(v % 256)
    v = Math.floor(v / 256)
  }
  return out
}

/** Pickle opcode builders (protocol 2). */
export const op = {
  proto: [0x80, 0x02],
  stop: [0x2e],
  mark: [0x28],
  tuple: [0x74],
  emptyTuple: [0x29],
  reduce: [0x52],
  setitem: [0x73],
  binpersid: [0x51],
  false: [0x89],
  global: (module: string, name: string): number[] => [0x63, ...enc.encode(`${module}\n${name}\n`)],
  str: (s: string): number[] => {
    const b = enc.encode(s)
    return [0x58, ...le(4, b.length), ...b]
  },
  int: (n: number): number[] => [0x4a, ...le(4, n >>> 0)],
  ints: (ns: readonly number[]): number[] => [0x28, ...ns.flatMap((n) => [0x4a, ...le(4, n >>> 0)]), 0x74],
}

/** One tensor of a generated state dict. */
export interface TensorSpec {
  readonly name: string
  readonly key: string
  readonly storage: string
  readonly numel: number
  readonly shape: readonly number[]
  readonly stride?: readonly number[]
  readonly offset?: number
}

const rowMajor = (shape: readonly number[]): number[] => shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1))

/** The pickle of an OrderedDict state dict of the given tensors (inside `{ [under]: … }` when given). */
export const stateDictPickle = (tensors: readonly TensorSpec[], under?: string): Uint8Array =>
  Uint8Array.from([
    ...op.proto,
    ...(under === undefined ? [] : [0x7d, ...op.str(under)]),
    ...op.global('collections', 'OrderedDict'), ...op.emptyTuple, ...op.reduce,
    ...tensors.flatMap((t) => [
      ...op.str(t.name),
      ...op.global('torch._utils', '_rebuild_tensor_v2'),
      ...op.mark,
      ...op.mark, ...op.str('storage'), ...op.global('torch', t.storage), ...op.str(t.key), ...op.str('cpu'), ...op.int(t.numel), ...op.tuple, ...op.binpersid,
      ...op.int(t.offset ?? 0), ...op.ints(t.shape), ...op.ints(t.stride ?? rowMajor(t.shape)), ...op.false,
      ...op.global('collections', 'OrderedDict'), ...op.emptyTuple, ...op.reduce,
      ...op.tuple, ...op.reduce,
      ...op.setitem,
    ]),
    ...(under === undefined ? [] : op.setitem),
    ...op.stop,
  ])

interface Placed {
  readonly name: Uint8Array
  readonly offset: number
  readonly size: number
  readonly crc: number
}

const localHeader = (name: Uint8Array, size: number, crc: number): Uint8Array =>
  Uint8Array.from([...le(4, 0x04034b50), ...le(2, 20), ...le(2, 0), ...le(2, 0), ...le(4, 0), ...le(4, crc), ...le(4, size), ...le(4, size), ...le(2, name.length), ...le(2, 0), ...name])

const directory = (placed: readonly Placed[], at: number): Uint8Array => {
  const central = placed.flatMap((p) => [
    ...le(4, 0x02014b50), ...le(2, 20), ...le(2, 20), ...le(2, 0), ...le(2, 0), ...le(4, 0), ...le(4, p.crc), ...le(4, p.size), ...le(4, p.size),
    ...le(2, p.name.length), ...le(2, 0), ...le(2, 0), ...le(2, 0), ...le(2, 0), ...le(4, 0), ...le(4, p.offset), ...p.name,
  ])
  const eocd = [...le(4, 0x06054b50), ...le(2, 0), ...le(2, 0), ...le(2, placed.length), ...le(2, placed.length), ...le(4, central.length), ...le(4, at), ...le(2, 0)]
  return Uint8Array.from([...central, ...eocd])
}

/** A zip of stored entries, in order. `method` overrides the compression method field (for refusal tests). */
export const zipStored = (entries: ReadonlyArray<readonly [string, Uint8Array]>, method = 0): Uint8Array => {
  const parts: Uint8Array[] = []
  const placed: Placed[] = []
  let at = 0
  for (const [name, data] of entries) {
    const n = enc.encode(name)
    const crc = crc32(data) >>> 0
    const header = localHeader(n, data.length, crc)
    header[8] = method
    placed.push({ name: n, offset: at, size: data.length, crc })
    parts.push(header, data)
    at += header.length + data.length
  }
  const dir = directory(placed, at)
  if (method !== 0) for (let i = 0; i + 4 <= dir.length; i++) if (dir[i] === 0x50 && dir[i + 1] === 0x4b && dir[i + 2] === 0x01 && dir[i + 3] === 0x02) dir[i + 10] = method
  parts.push(dir)
  return concatBytes(parts)
}

/** A torch.save file of one state dict, in memory (`archive/data.pkl` + `archive/data/<key>`). */
export const torchBytes = (tensors: readonly TensorSpec[], data: Readonly<Record<string, Uint8Array>>, pickle = stateDictPickle(tensors)): Uint8Array =>
  zipStored([['archive/data.pkl', pickle], ...Object.entries(data).map(([k, v]) => [`archive/data/${k}`, v] as const), ['archive/version', enc.encode('3\n')]])

const ZERO_CHUNK = new Uint8Array(1 << 24)

const zerosCrc = (size: number): number => {
  let crc = 0
  for (let done = 0; done < size; done += ZERO_CHUNK.length) crc = crc32(ZERO_CHUNK.subarray(0, Math.min(ZERO_CHUNK.length, size - done)), crc)
  return crc >>> 0
}

/**
 * Writes a torch.save file of `count` float32 tensors of `numel` zeros each, as holes (sparse):
 * `count · numel · 4` bytes of data on disk cost nothing. Every storage but the one at `oneAt`
 * stays zero; that one gets `marker` written at its first element. Returns the file size.
 */
export const writeSparseTorchFile = (path: string, count: number, numel: number, marker = 1.5): number => {
  const tensors = Array.from({ length: count }, (_, i): TensorSpec => ({ name: `blocks.${i}.weight`, key: String(i), storage: 'FloatStorage', numel, shape: [numel] }))
  const pickle = stateDictPickle(tensors)
  const size = numel * 4
  const zeroCrc = zerosCrc(size)
  const first = new Float32Array([marker, ...new Array<number>(Math.min(numel, 1024) - 1).fill(0)])
  const firstBytes = new Uint8Array(first.buffer)
  const markedCrc = crc32(new Uint8Array(size - firstBytes.length), crc32(firstBytes)) >>> 0
  const fd = openSync(path, 'w')
  try {
    const placed: Placed[] = []
    let at = 0
    const put = (bytes: Uint8Array): void => {
      writeSync(fd, bytes, 0, bytes.length, at)
      at += bytes.length
    }
    const pklName = enc.encode('archive/data.pkl')
    placed.push({ name: pklName, offset: 0, size: pickle.length, crc: crc32(pickle) >>> 0 })
    put(localHeader(pklName, pickle.length, crc32(pickle) >>> 0))
    put(pickle)
    for (let i = 0; i < count; i++) {
      const name = enc.encode(`archive/data/${i}`)
      const crc = i === 0 ? markedCrc : zeroCrc
      placed.push({ name, offset: at, size, crc })
      put(localHeader(name, size, crc))
      if (i === 0) writeSync(fd, firstBytes, 0, firstBytes.length, at)
      at += size
    }
    ftruncateSync(fd, at)
    put(directory(placed, at))
    return at
  } finally {
    closeSync(fd)
  }
}
