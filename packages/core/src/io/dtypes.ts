/**
 * Safetensors dtypes and how each one is read into the two in-memory kinds we compute with.
 *
 * Contract: every stored dtype maps to `F32` (Float32Array) or `I32` (Int32Array):
 * - `F32`, `I32`: bit-exact (NaN payloads, -0 and subnormals kept).
 * - `F16`, `BF16`: exact — every half and bfloat16 value, NaN payloads included, is a float32.
 * - `F64`: rounded to the nearest float32 (`Math.fround`); values beyond ±3.4e38 become ±Infinity.
 *   This is the one lossy conversion, accepted because checkpoints of float64 params are rare.
 * - `I64`, `U32`: exact when every value fits in int32; otherwise the read fails naming the tensor,
 *   the first offending index and its value.
 * - `I16`, `I8`, `U16`, `U8`, `BOOL`: exact (BOOL reads its byte: 0 or 1).
 * Reads go through little-endian DataViews or byte copies, so the host's byte order never matters.
 */

/** The dtypes this reader understands. */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'U32' | 'I16' | 'U16' | 'I8' | 'U8' | 'BOOL'

/** The in-memory kinds: float32 or int32. */
export type MemoryKind = 'F32' | 'I32'

/** Bytes per element and the kind each stored dtype is read as. */
export const DTYPES: { readonly [D in SafetensorsDtype]: { readonly itemSize: number; readonly readAs: MemoryKind } } = {
  F64: { itemSize: 8, readAs: 'F32' },
  F32: { itemSize: 4, readAs: 'F32' },
  F16: { itemSize: 2, readAs: 'F32' },
  BF16: { itemSize: 2, readAs: 'F32' },
  I64: { itemSize: 8, readAs: 'I32' },
  I32: { itemSize: 4, readAs: 'I32' },
  U32: { itemSize: 4, readAs: 'I32' },
  I16: { itemSize: 2, readAs: 'I32' },
  U16: { itemSize: 2, readAs: 'I32' },
  I8: { itemSize: 1, readAs: 'I32' },
  U8: { itemSize: 1, readAs: 'I32' },
  BOOL: { itemSize: 1, readAs: 'I32' },
}

/** True for a dtype name this reader understands. */
export const isSafetensorsDtype = (name: string): name is SafetensorsDtype => Object.prototype.hasOwnProperty.call(DTYPES, name)

/** True when typed arrays on this host are little-endian (every mainstream CPU). */
export const hostIsLittleEndian: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** The float32 bit pattern of an IEEE half, exactly (subnormals normalized, NaN payload kept). */
export const halfToFloatBits = (h: number): number => {
  const sign = (h & 0x8000) << 16
  const exponent = (h >> 10) & 0x1f
  let mantissa = h & 0x3ff
  if (exponent === 0x1f) return (sign | 0x7f800000 | (mantissa << 13)) >>> 0
  if (exponent !== 0) return (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0
  if (mantissa === 0) return sign >>> 0
  let e = 113
  while ((mantissa & 0x400) === 0) {
    mantissa <<= 1
    e--
  }
  return (sign | (e << 23) | ((mantissa & 0x3ff) << 13)) >>> 0
}

/**
 * Reads `count` elements of `dtype` from little-endian `bytes` (which must own its buffer from
 * offset 0) into the memory kind; returns the out-of-range index and value for int64/uint32 data
 * that does not fit int32.
 */
export const readElements = (
  dtype: SafetensorsDtype,
  bytes: Uint8Array,
  count: number,
): { readonly data: Float32Array | Int32Array } | { readonly badIndex: number; readonly badValue: string } => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  switch (dtype) {
    case 'F32': {
      if (hostIsLittleEndian && bytes.byteOffset % 4 === 0) return { data: new Float32Array(bytes.buffer, bytes.byteOffset, count) }
      const out = new Float32Array(count)
      const bits = new Uint32Array(out.buffer)
      for (let i = 0; i < count; i++) bits[i] = view.getUint32(4 * i, true)
      return { data: out }
    }
    case 'I32': {
      if (hostIsLittleEndian && bytes.byteOffset % 4 === 0) return { data: new Int32Array(bytes.buffer, bytes.byteOffset, count) }
      const out = new Int32Array(count)
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true)
      return { data: out }
    }
    case 'F64': {
      const out = new Float32Array(count)
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true)
      return { data: out }
    }
    case 'F16': {
      const out = new Float32Array(count)
      const bits = new Uint32Array(out.buffer)
      for (let i = 0; i < count; i++) bits[i] = halfToFloatBits(view.getUint16(2 * i, true))
      return { data: out }
    }
    case 'BF16': {
      const out = new Float32Array(count)
      const bits = new Uint32Array(out.buffer)
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(2 * i, true) << 16
      return { data: out }
    }
    case 'I64': {
      const out = new Int32Array(count)
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(8 * i, true)
        if (v < -2147483648n || v > 2147483647n) return { badIndex: i, badValue: v.toString() }
        out[i] = Number(v)
      }
      return { data: out }
    }
    case 'U32': {
      const out = new Int32Array(count)
      for (let i = 0; i < count; i++) {
        const v = view.getUint32(4 * i, true)
        if (v > 2147483647) return { badIndex: i, badValue: String(v) }
        out[i] = v
      }
      return { data: out }
    }
    case 'I16': {
      const out = new Int32Array(count)
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, true)
      return { data: out }
    }
    case 'U16': {
      const out = new Int32Array(count)
      for (let i = 0; i < count; i++) out[i] = view.getUint16(2 * i, true)
      return { data: out }
    }
    case 'I8': {
      const out = new Int32Array(count)
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i)
      return { data: out }
    }
    case 'U8':
    case 'BOOL': {
      const out = new Int32Array(count)
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i)
      return { data: out }
    }
  }
}
