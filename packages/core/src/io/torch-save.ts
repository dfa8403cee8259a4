/**
 * Writing `torch.save` files from TypeScript (node side), so a run can be handed to PyTorch: the
 * zip container (`<archive>/data.pkl`, `<archive>/data/<key>`, `<archive>/version`; stored
 * entries, CRC-32 filled in, data aligned to 64 bytes as torch writes it) and a pickle (protocol 2)
 * of plain values and tensors.
 *
 * Contract: `torchSaveBytes(value, archive)` serializes a `PyValue`: null, booleans, strings,
 * integers (`number` with no fraction → Python int), floats (`PyFloat`, or any `number` with a
 * fraction), lists (arrays), tuples (`PyTuple`), dicts (`PyDict`, ordered; `ordered: true` writes
 * a `collections.OrderedDict`, as `state_dict()` returns) and float32 / int32 tensors (`HostTensor`,
 * each in its own storage, contiguous). The bytes are what `torch.load` reads (tested with Debian's
 * PyTorch 1.13) and what `openTorchFile` reads back exactly. A tensor whose data does not match its
 * shape throws a RangeError naming it.
 */
import { crc32 } from './crc32.ts'
import type { HostTensor } from './safetensors.ts'
import { concatBytes } from './bytes.ts'

/** A Python float (to write 1.0 as a float rather than the int 1). */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A Python tuple. */
export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

/** A Python dict with insertion order; `ordered` writes a `collections.OrderedDict`. */
export class PyDict {
  constructor(readonly entries: ReadonlyArray<readonly [string | number, PyValue]>, readonly ordered = false) {}
}

/** What `torchSaveBytes` can write. */
export type PyValue = null | boolean | number | string | PyFloat | PyTuple | PyDict | HostTensor | readonly PyValue[]

const isHostTensor = (v: PyValue): v is HostTensor => typeof v === 'object' && v !== null && !Array.isArray(v) && 'dtype' in v && 'data' in v && 'shape' in v

class PickleWriter {
  private readonly chunks: number[] = []
  readonly storages: Array<{ readonly key: string; readonly bytes: Uint8Array }> = []
  private readonly enc = new TextEncoder()

  byte(...b: number[]): void {
    for (const x of b) this.chunks.push(x)
  }
  u32(n: number): void {
    this.byte(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff)
  }
  str(s: string): void {
    const b = this.enc.encode(s)
    this.byte(0x58)
    this.u32(b.length)
    for (const x of b) this.chunks.push(x)
  }
  global(module: string, name: string): void {
    this.byte(0x63)
    for (const x of this.enc.encode(`${module}\n${name}\n`)) this.chunks.push(x)
  }
  int(n: number): void {
    if (n >= -(2 ** 31) && n < 2 ** 31) {
      this.byte(0x4a)
      this.u32(n >>> 0)
      return
    }
    let v = BigInt(n)
    const bytes: number[] = []
    while (v !== 0n && v !== -1n) {
      bytes.push(Number(v & 0xffn))
      v >>= 8n
    }
    const negative = n < 0
    if (bytes.length === 0 || ((bytes[bytes.length - 1]! & 0x80) !== 0) !== negative) bytes.push(negative ? 0xff : 0)
    this.byte(0x8a, bytes.length, ...bytes)
  }
  float(x: number): void {
    const view = new DataView(new ArrayBuffer(8))
    view.setFloat64(0, x, false)
    this.byte(0x47, ...new Uint8Array(view.buffer))
  }
  tuple(items: readonly PyValue[], at: string): void {
    if (items.length === 0) return this.byte(0x29)
    this.byte(0x28)
    items.forEach((v, i) => this.value(v, `${at}[${i}]`))
    this.byte(0x74)
  }
  tensor(t: HostTensor, at: string): void {
    const numel = t.shape.reduce((a, b) => a * b, 1)
    if (t.data.length !== numel) throw new RangeError(`torch.save: tensor ${at}: data holds ${t.data.length} elements, shape [${t.shape.join(', ')}] needs ${numel}`)
    const key = String(this.storages.length)
    const bytes = new Uint8Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength))
    this.storages.push({ key, bytes })
    const stride = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1))
    this.global('torch._utils', '_rebuild_tensor_v2')
    this.byte(0x28) // MARK: the argument tuple
    this.byte(0x28) // MARK: the persistent id
    this.str('storage')
    this.global('torch', t.dtype === 'F32' ? 'FloatStorage' : 'IntStorage')
    this.str(key)
    this.str('cpu')
    this.int(numel)
    this.byte(0x74, 0x51) // TUPLE, BINPERSID
    this.int(0)
    this.tuple(t.shape, at)
    this.tuple(stride, at)
    this.byte(0x89) // requires_grad False
    this.global('collections', 'OrderedDict')
    this.byte(0x29, 0x52) // () REDUCE: empty backward hooks
    this.byte(0x74, 0x52) // TUPLE, REDUCE
  }
  value(v: PyValue, at: string): void {
    if (v === null) return this.byte(0x4e)
    if (v === true) return this.byte(0x88)
    if (v === false) return this.byte(0x89)
    if (typeof v === 'string') return this.str(v)
    if (typeof v === 'number') return Number.isSafeInteger(v) ? this.int(v) : this.float(v)
    if (v instanceof PyFloat) return this.float(v.value)
    if (v instanceof PyTuple) return this.tuple(v.items, at)
    if (Array.isArray(v)) {
      this.byte(0x5d)
      if (v.length === 0) return
      this.byte(0x28)
      v.forEach((x, i) => this.value(x, `${at}[${i}]`))
      return this.byte(0x65)
    }
    if (v instanceof PyDict) {
      if (v.ordered) {
        this.global('collections', 'OrderedDict')
        this.byte(0x29, 0x52)
      } else this.byte(0x7d)
      if (v.entries.length === 0) return
      this.byte(0x28)
      for (const [k, x] of v.entries) {
        this.value(k, at)
        this.value(x, at === '' ? String(k) : `${at}.${k}`)
      }
      return this.byte(0x75)
    }
    if (isHostTensor(v)) return this.tensor(v, at)
    throw new TypeError(`torch.save: ${at}: a value that cannot be written`)
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.chunks)
  }
}

const le = (bytes: number, value: number): number[] => Array.from({ length: bytes }, (_, i) => Math.floor(value / 256 ** i) % 256)

/** Serializes `value` as a torch.save zip whose records sit under `archive/` (see the module contract). */
export const torchSaveBytes = (value: PyValue, archive = 'archive'): Uint8Array => {
  const pickle = new PickleWriter()
  pickle.byte(0x80, 0x02)
  pickle.value(value, '')
  pickle.byte(0x2e)
  const enc = new TextEncoder()
  const records: Array<readonly [string, Uint8Array]> = [
    [`${archive}/data.pkl`, pickle.bytes()],
    ...pickle.storages.map((s) => [`${archive}/data/${s.key}`, s.bytes] as const),
    [`${archive}/version`, enc.encode('3\n')],
  ]
  const parts: Uint8Array[] = []
  const central: number[] = []
  let at = 0
  for (const [name, data] of records) {
    const n = enc.encode(name)
    const crc = crc32(data) >>> 0
    // An extra field pads the header so the data starts at a multiple of 64, as torch aligns it.
    const bare = at + 30 + n.length
    const pad = bare % 64 === 0 ? 0 : 64 - (bare % 64)
    const padLength = pad === 0 ? 0 : pad < 4 ? pad + 64 : pad
    const extra = padLength === 0 ? [] : [0x46, 0x42, ...le(2, padLength - 4), ...new Array<number>(padLength - 4).fill(0x5a)]
    const header = Uint8Array.from([...le(4, 0x04034b50), ...le(2, 20), ...le(2, 0), ...le(2, 0), ...le(4, 0), ...le(4, crc), ...le(4, data.length), ...le(4, data.length), ...le(2, n.length), ...le(2, extra.length), ...n, ...extra])
    central.push(...le(4, 0x02014b50), ...le(2, 20), ...le(2, 20), ...le(2, 0), ...le(2, 0), ...le(4, 0), ...le(4, crc), ...le(4, data.length), ...le(4, data.length), ...le(2, n.length), ...le(2, 0), ...le(2, 0), ...le(2, 0), ...le(2, 0), ...le(4, 0), ...le(4, at), ...n)
    parts.push(header, data)
    at += header.length + data.length
    if (at >= 2 ** 32) throw new RangeError('torch.save: files of 4 GiB or more need zip64, which this writer does not write')
  }
  const eocd = [...le(4, 0x06054b50), ...le(2, 0), ...le(2, 0), ...le(2, records.length), ...le(2, records.length), ...le(4, central.length), ...le(4, at), ...le(2, 0)]
  parts.push(Uint8Array.from(central), Uint8Array.from(eocd))
  return concatBytes(parts)
}
