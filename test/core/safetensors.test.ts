import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { encodeSafetensors, decodeSafetensors, halfToFloatBits, MAX_HEADER_BYTES, type HostTensor, type DecodedSafetensors, type DecodedTensor } from '@jepa-ts/core'

// ---------------------------------------------------------------------------------------------
// helpers

/** Builds a file by hand: a header (object or raw text), padded or not, then the data bytes. */
const fileOf = (header: unknown, data: Uint8Array = new Uint8Array(0), opts: { headerLength?: bigint; pad?: boolean } = {}): Uint8Array => {
  let json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header))
  if (opts.pad ?? true) {
    const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20)
    padded.set(json)
    json = padded
  }
  const out = new Uint8Array(8 + json.length + data.length)
  new DataView(out.buffer).setBigUint64(0, opts.headerLength ?? BigInt(json.length), true)
  out.set(json, 8)
  out.set(data, 8 + json.length)
  return out
}

const errorOf = (bytes: Uint8Array, source = 'bad.safetensors'): string => {
  const r = decodeSafetensors(bytes, source)
  assert.ok(E.isLeft(r), 'expected the file to be rejected')
  assert.ok(r.left.message.startsWith(`${source}: `), r.left.message)
  return r.left.message
}

const entry = (dtype: string, shape: number[], begin: number, end: number) => ({ dtype, shape, data_offsets: [begin, end] })

const u32 = (t: { data: Float32Array | Int32Array }): number[] => Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length))

// ---------------------------------------------------------------------------------------------
// round trips

const SPECIAL_BITS = [0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x807fffff, 0x7fc00000, 0x7fc00001, 0x7f800001, 0xffffffff, 0x7f7fffff]

const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 })
const tensorArb: fc.Arbitrary<HostTensor> = shapeArb.chain((shape) => {
  const n = shape.reduce((a, b) => a * b, 1)
  return fc.oneof(
    fc.array(fc.oneof(fc.constantFrom(...SPECIAL_BITS), fc.integer({ min: 0, max: 0xffffffff })), { minLength: n, maxLength: n }).map(
      (bits): HostTensor => ({ dtype: 'F32', shape, data: new Float32Array(new Uint32Array(bits).buffer) }),
    ),
    fc.array(fc.integer({ min: -0x80000000, max: 0x7fffffff }), { minLength: n, maxLength: n }).map(
      (values): HostTensor => ({ dtype: 'I32', shape, data: new Int32Array(values) }),
    ),
  )
})
const nameArb = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'blocks.0.w')).filter((s) => s !== '__metadata__')
const filesArb = fc.record({
  tensors: fc.dictionary(nameArb, tensorArb, { maxKeys: 6 }),
  metadata: fc.option(fc.dictionary(fc.oneof(fc.string(), fc.constant('__proto__')), fc.string(), { maxKeys: 3 }), { nil: undefined }),
})

const sameBits = (a: Readonly<Record<string, HostTensor>>, b: DecodedSafetensors): boolean => {
  assert.deepEqual(Object.keys(b.tensors), Object.keys(a))
  for (const [name, t] of Object.entries(a)) {
    const got = b.tensors[name]!
    assert.equal(got.dtype, t.dtype, name)
    assert.equal(got.storedAs, t.dtype, name)
    assert.deepEqual(got.shape, t.shape, name)
    assert.deepEqual(u32(got), u32(t), `bits of ${name}`)
  }
  return true
}

test('any F32/I32 tensors round-trip bit-exactly (NaN payloads, -0, ±Inf, subnormals, scalars, zero-size dims)', () => {
  fc.assert(
    fc.property(filesArb, ({ tensors, metadata }) => {
      const bytes = encodeSafetensors(tensors, metadata)
      const header = Number(new DataView(bytes.buffer).getBigUint64(0, true))
      assert.equal(header % 8, 0, 'header padded to 8 bytes')
      const back = decodeSafetensors(bytes)
      assert.ok(E.isRight(back), E.isLeft(back) ? back.left.message : '')
      assert.deepEqual({ ...back.right.metadata }, { ...metadata })
      // encoding what was decoded gives the same bytes
      assert.deepEqual(encodeSafetensors(back.right.tensors, back.right.metadata), bytes)
      return sameBits(tensors, back.right)
    }),
    { numRuns: 150 },
  )
})

test('unaligned input (odd byteOffset, unpadded header) is read correctly', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 5 }), (shift, n) => {
      const values = Float32Array.from({ length: n }, (_, i) => i + 0.5)
      const ints = Int32Array.from({ length: 3 }, (_, i) => -i - 7)
      const data = new Uint8Array(values.byteLength + ints.byteLength)
      data.set(new Uint8Array(values.buffer), 0)
      data.set(new Uint8Array(ints.buffer), values.byteLength)
      const bytes = fileOf({ a: entry('F32', [n], 0, 4 * n), b: entry('I32', [3], 4 * n, 4 * n + 12) }, data, { pad: false })
      const host = new Uint8Array(bytes.length + shift)
      host.set(bytes, shift)
      const r = decodeSafetensors(host.subarray(shift))
      assert.ok(E.isRight(r), 'E.isRight(r)')
      assert.deepEqual(Array.from(r.right.tensors.a!.data), Array.from(values))
      assert.deepEqual(Array.from(r.right.tensors.b!.data), [-7, -8, -9])
      return true
    }),
  )
})

test('decoded arrays own their memory: changing the input afterwards changes nothing', () => {
  const bytes = encodeSafetensors({ w: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } })
  const r = decodeSafetensors(bytes)
  assert.ok(E.isRight(r), 'E.isRight(r)')
  bytes.fill(0xff)
  assert.deepEqual(Array.from(r.right.tensors.w!.data), [1, 2])
})

test('half to float conversion is exact for all 65536 halves (checked against Float16 arithmetic)', () => {
  for (let h = 0; h < 0x10000; h++) {
    const sign = h & 0x8000 ? -1 : 1
    const e = (h >> 10) & 0x1f
    const m = h & 0x3ff
    const bits = halfToFloatBits(h)
    const f = new Float32Array(new Uint32Array([bits]).buffer)[0]!
    if (e === 0x1f) {
      assert.equal((bits & 0x7f800000) >>> 0, 0x7f800000)
      assert.equal((bits & 0x7fffff) >>> 13, m, `payload of ${h.toString(16)}`)
      assert.equal(bits >>> 31, h >> 15)
    } else {
      const value = e === 0 ? sign * m * 2 ** -24 : sign * (1 + m / 1024) * 2 ** (e - 15)
      assert.ok(Object.is(f, value), `half ${h.toString(16)}: ${f} vs ${value}`)
    }
  }
})

// ---------------------------------------------------------------------------------------------
// the reference file (written by tools/safetensors_reference.py from PyTorch tensors)

test('reads the PyTorch-written reference file exactly, all dtypes converted as PyTorch does', () => {
  const path = 'test/fixtures/safetensors/reference.safetensors'
  const expected = JSON.parse(readFileSync('test/fixtures/safetensors/reference.expected.json', 'utf8')) as {
    metadata: Record<string, string>
    order: string[]
    tensors: Record<string, { storedAs: string; dtype: 'F32' | 'I32'; shape: number[]; bits?: number[]; values?: number[] }>
  }
  const r = decodeSafetensors(readFileSync(path), path)
  assert.ok(E.isRight(r), E.isLeft(r) ? r.left.message : '')
  assert.deepEqual(r.right.metadata, expected.metadata)
  assert.deepEqual(Object.keys(r.right.tensors), expected.order)
  for (const [name, want] of Object.entries(expected.tensors)) {
    const got: DecodedTensor = r.right.tensors[name]!
    assert.equal(got.storedAs, want.storedAs, name)
    assert.equal(got.dtype, want.dtype, name)
    assert.deepEqual(got.shape, want.shape, name)
    if (want.bits !== undefined) assert.deepEqual(u32(got), want.bits, name)
    else assert.deepEqual(Array.from(got.data), want.values, name)
  }
})

// ---------------------------------------------------------------------------------------------
// validation: one test per rule, each naming the tensor and the numbers

const f32x2 = new Uint8Array(new Float32Array([1, 2]).buffer)

test('rejects a file shorter than 8 bytes', () => {
  assert.equal(errorOf(new Uint8Array(5)), 'bad.safetensors: file length: expected at least 8 bytes (the u64 header length), got 5 bytes')
})

test('rejects a header length beyond the file, and an absurd one, before reading it', () => {
  const file = fileOf({ a: entry('F32', [2], 0, 8) }, f32x2, { headerLength: 1000n })
  assert.equal(errorOf(file), `bad.safetensors: header length: expected at most ${file.length - 8} bytes (the file is ${file.length} bytes), got 1000 bytes`)
  assert.match(errorOf(fileOf({}, new Uint8Array(0), { headerLength: 200_000_000n })), new RegExp(`header length: expected at most ${MAX_HEADER_BYTES} bytes, got 200000000 bytes`))
  assert.match(errorOf(fileOf({}, new Uint8Array(0), { headerLength: 2n ** 63n })), /header length: expected at most 100000000 bytes, got 9223372036854775808 bytes/)
})

test('rejects a header that is not UTF-8, not JSON, or not an object', () => {
  const notUtf8 = fileOf('{}', new Uint8Array(0))
  notUtf8[9] = 0xff
  assert.equal(errorOf(notUtf8), 'bad.safetensors: header: expected valid UTF-8, got an invalid byte sequence')
  assert.match(errorOf(fileOf('{"a": {"dtype": "F32",}}')), /header: expected valid JSON, got .* at line 1, column 23/)
  assert.equal(errorOf(fileOf([1, 2])), 'bad.safetensors: header: expected a JSON object, got [1,2]')
  assert.equal(errorOf(fileOf('null')), 'bad.safetensors: header: expected a JSON object, got null')
})

test('rejects entries missing dtype, shape or data_offsets, naming the tensor', () => {
  assert.equal(errorOf(fileOf({ w: 3 })), 'bad.safetensors: tensor "w": entry: expected an object with dtype, shape and data_offsets, got 3')
  assert.match(errorOf(fileOf({ w: { shape: [2], data_offsets: [0, 8] } }, f32x2)), /tensor "w": dtype: expected a dtype name such as "F32", got nothing \(the field is missing\)/)
  assert.match(errorOf(fileOf({ w: { dtype: 'F32', data_offsets: [0, 8] } }, f32x2)), /tensor "w": shape: expected an array of non-negative integers, got nothing/)
  assert.match(errorOf(fileOf({ w: { dtype: 'F32', shape: [2] } }, f32x2)), /tensor "w": data_offsets: expected an array \[begin, end\], got nothing/)
  assert.match(errorOf(fileOf({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8, 9] } }, f32x2)), /tensor "w": data_offsets: expected an array \[begin, end\], got \[0,8,9\]/)
  assert.match(errorOf(fileOf({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 'x'] } }, f32x2)), /tensor "w": data_offsets: expected two non-negative integers \[begin, end\], got \[0,"x"\]/)
})

test('rejects an unknown dtype, listing the known ones', () => {
  assert.match(errorOf(fileOf({ w: entry('F8_E4M3', [2], 0, 2) }, new Uint8Array(2))), /tensor "w": dtype: expected one of F64, F32, F16, BF16, I64, I32, U32, I16, U16, I8, U8, BOOL, got "F8_E4M3"/)
})

test('rejects negative and non-integer dims', () => {
  assert.equal(errorOf(fileOf({ w: entry('F32', [2, -1], 0, 8) }, f32x2)), 'bad.safetensors: tensor "w": shape[1]: expected a non-negative integer, got -1')
  assert.equal(errorOf(fileOf({ w: entry('F32', [1.5], 0, 8) }, f32x2)), 'bad.safetensors: tensor "w": shape[0]: expected a non-negative integer, got 1.5')
})

test('rejects offsets out of range and end < begin', () => {
  assert.equal(errorOf(fileOf({ w: entry('F32', [2], 0, 12) }, f32x2)), "bad.safetensors: tensor \"w\": data_offsets: expected end ≤ 8 (the data section's length), got [0, 12]")
  assert.equal(errorOf(fileOf({ w: entry('F32', [0], 8, 4) }, f32x2)), 'bad.safetensors: tensor "w": data_offsets: expected end ≥ begin, got [8, 4]')
  assert.match(errorOf(fileOf({ w: entry('F32', [2], -8, 0) }, f32x2)), /tensor "w": data_offsets: expected two non-negative integers/)
})

test('rejects a byte length that does not match shape × itemsize', () => {
  assert.equal(
    errorOf(fileOf({ 'blocks.0.w': entry('F32', [2, 3], 0, 20) }, new Uint8Array(20))),
    'bad.safetensors: tensor "blocks.0.w": byte length of data_offsets [0, 20]: expected 24 (shape [2, 3] × 4 bytes of F32), got 20',
  )
  assert.match(errorOf(fileOf({ h: entry('F16', [3], 0, 8) }, new Uint8Array(8))), /tensor "h": byte length of data_offsets \[0, 8\]: expected 6 \(shape \[3\] × 2 bytes of F16\), got 8/)
  assert.match(errorOf(fileOf({ big: entry('F64', [2 ** 30, 2 ** 30, 2 ** 10], 0, 8) }, new Uint8Array(8))), /tensor "big": shape: expected an element count below 2\^53/)
})

test('rejects overlapping tensors, holes, and uncovered trailing bytes', () => {
  const data = new Uint8Array(16)
  assert.equal(
    errorOf(fileOf({ a: entry('F32', [2], 0, 8), b: entry('F32', [2], 4, 12), c: entry('F32', [1], 12, 16) }, data)),
    'bad.safetensors: tensor "b": data_offsets: expected begin ≥ 8 (tensor "a" ends there), got [4, 12], which overlaps it',
  )
  assert.equal(
    errorOf(fileOf({ a: entry('F32', [2], 0, 8), b: entry('F32', [1], 12, 16) }, data)),
    'bad.safetensors: tensor "b": data_offsets: expected begin = 8 (tensors must be contiguous), got [12, 16], leaving bytes [8, 12) unused',
  )
  assert.equal(
    errorOf(fileOf({ a: entry('F32', [2], 0, 8) }, data)),
    'bad.safetensors: data section: expected 8 bytes (the end of the last tensor), got 16 bytes, leaving bytes [8, 16) unused',
  )
  // a zero-size tensor inside another one overlaps it
  assert.match(errorOf(fileOf({ a: entry('F32', [4], 0, 16), z: entry('F32', [0], 4, 4) }, data)), /tensor "z": data_offsets: expected begin ≥ 16 \(tensor "a" ends there\), got \[4, 4\]/)
  // header order does not matter, only coverage does
  assert.ok(E.isRight(decodeSafetensors(fileOf({ b: entry('F32', [2], 8, 16), a: entry('F32', [2], 0, 8) }, data))), 'E.isRight(decodeSafetensors(fileOf({ b: entry(\'F32\', [2], 8, 16), a: entry(\'F32\', [2], 0, 8) }, data)))')
})

test('rejects metadata that is not an object of strings', () => {
  assert.equal(errorOf(fileOf({ __metadata__: { step: 3 } })), 'bad.safetensors: __metadata__.step: expected a string, got 3')
  assert.equal(errorOf(fileOf({ __metadata__: ['x'] })), 'bad.safetensors: __metadata__: expected an object of strings, got ["x"]')
})

test('rejects int64 values that do not fit int32, naming the index and value', () => {
  const data = new Uint8Array(16)
  new DataView(data.buffer).setBigInt64(8, 2n ** 40n, true)
  assert.equal(
    errorOf(fileOf({ ids: entry('I64', [2], 0, 16) }, data)),
    'bad.safetensors: tensor "ids": value at flat index 1: expected an int32 (stored as I64, read as I32), got 1099511627776',
  )
})

test('the default source is <bytes>', () => {
  assert.equal(errorOf(new Uint8Array(3), '<bytes>'), '<bytes>: file length: expected at least 8 bytes (the u64 header length), got 3 bytes')
  const r = decodeSafetensors(new Uint8Array(3))
  assert.ok(E.isLeft(r) && r.left.source === '<bytes>', 'E.isLeft(r) && r.left.source === \'<bytes>\'')
})

test('encode refuses what it cannot write, naming the tensor', () => {
  assert.throws(() => encodeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } }), /tensor "w": shape \[2, 2\] holds 4 elements, data has 3/)
  assert.throws(() => encodeSafetensors({ __metadata__: { dtype: 'F32', shape: [], data: new Float32Array(1) } }), /"__metadata__" is reserved/)
  // @ts-expect-error: F32 data must be a Float32Array
  assert.throws(() => encodeSafetensors({ w: { dtype: 'F32', shape: [1], data: new Int32Array(1) } }), /tensor "w": F32 data must be a Float32Array, got Int32Array/)
})
