/**
 * A minimal, private safetensors reader for the parity fixtures (test helper, not an API): 8-byte
 * little-endian header length, JSON header, raw little-endian F32 / I32 data with offsets relative to
 * the data start. Validates lengths and offsets before reading. Replace with core's reader once
 * `@jepa-ts/core` io lands.
 */
import { readFileSync } from 'node:fs'

export interface RawTensor {
  readonly dtype: 'F32' | 'I32'
  readonly shape: readonly number[]
  readonly data: Float32Array | Int32Array
}

export const readSafetensors = (file: string): Map<string, RawTensor> => {
  const buf = readFileSync(file)
  if (buf.length < 8) throw new Error(`${file}: too short for a safetensors header (${buf.length} bytes)`)
  const headerLen = Number(buf.readBigUInt64LE(0))
  if (8 + headerLen > buf.length) throw new Error(`${file}: header length ${headerLen} exceeds the file size ${buf.length}`)
  const header = JSON.parse(buf.subarray(8, 8 + headerLen).toString('utf8')) as Record<string, unknown>
  const dataStart = 8 + headerLen
  const out = new Map<string, RawTensor>()
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown }
    if (e.dtype !== 'F32' && e.dtype !== 'I32') throw new Error(`${file}: ${name}.dtype: expected F32 or I32, got ${String(e.dtype)}`)
    const shape = e.shape as number[]
    const [begin, end] = e.data_offsets as [number, number]
    const n = shape.reduce((a, b) => a * b, 1)
    if (end - begin !== 4 * n || dataStart + end > buf.length) throw new Error(`${file}: ${name}.data_offsets [${begin}, ${end}] do not fit shape [${shape}] or the file`)
    const bytes = new Uint8Array(buf.subarray(dataStart + begin, dataStart + end)) // aligned copy
    const data = e.dtype === 'F32' ? new Float32Array(bytes.buffer, 0, n) : new Int32Array(bytes.buffer, 0, n)
    out.set(name, { dtype: e.dtype, shape, data })
  }
  return out
}
