/**
 * A minimal PNG encoder: 8-bit RGB, no interlace, filter 0 on every row, zlib (`node:zlib`) deflate,
 * CRC-32 per chunk (ISO 3309 / ITU-T V.42, the polynomial 0xEDB88320 that PNG specifies).
 *
 * Contract: `encodePng(raster)` returns the bytes of a valid PNG file whose pixels are exactly
 * `raster.rgb` (row-major, 3 bytes per pixel); it throws a RangeError when the buffer length does not
 * match `width × height × 3` or a side is not a positive integer.
 *
 * @example
 * import { encodePng } from '@jepa-ts/masks'
 * const png = encodePng({ width: 1, height: 1, rgb: new Uint8Array([255, 0, 0]) })
 * console.assert(png[1] === 0x50 && png[2] === 0x4e && png[3] === 0x47) // "PNG"
 */
import { deflateSync } from 'node:zlib'
import { concatBytes } from '@jepa-ts/core'

/** An 8-bit RGB image, row-major, 3 bytes per pixel. */
export interface Raster {
  readonly width: number
  readonly height: number
  readonly rgb: Uint8Array
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** CRC-32 of bytes (the checksum of PNG chunks and of gzip). */
export const crc32 = (bytes: Uint8Array, start = 0, end = bytes.length): number => {
  let c = 0xffffffff
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

const chunk = (type: string, data: Uint8Array): Uint8Array => {
  const out = new Uint8Array(12 + data.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, data.length)
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i)
  out.set(data, 8)
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length))
  return out
}

/** Encodes an RGB raster as PNG bytes. */
export const encodePng = (raster: Raster): Uint8Array => {
  const { width, height, rgb } = raster
  if (!(Number.isSafeInteger(width) && width > 0 && Number.isSafeInteger(height) && height > 0)) {
    throw new RangeError(`encodePng: width and height must be positive integers, got ${width}×${height}`)
  }
  if (rgb.length !== width * height * 3) {
    throw new RangeError(`encodePng: expected ${width}×${height}×3 = ${width * height * 3} bytes of RGB, got ${rgb.length}`)
  }
  const header = new Uint8Array(13)
  const hv = new DataView(header.buffer)
  hv.setUint32(0, width)
  hv.setUint32(4, height)
  header.set([8, 2, 0, 0, 0], 8) // bit depth 8, colour type 2 (RGB), deflate, filter method 0, no interlace
  const stride = width * 3
  const filtered = new Uint8Array(height * (stride + 1))
  for (let y = 0; y < height; y++) filtered.set(rgb.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1)
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', new Uint8Array(deflateSync(filtered, { level: 9 }))),
    chunk('IEND', new Uint8Array(0)),
  ]
  return concatBytes(parts)
}
