/**
 * A minimal PNG encoder: 8-bit RGB, no interlace, filter 0 on every row, zlib (`node:zlib`) deflate,
 * CRC-32 per chunk (ISO 3309 / ITU-T V.42, the polynomial 0xEDB88320 that PNG specifies).
 *
 * Contract: `encodePng(raster)` returns the bytes of a valid PNG file whose pixels are exactly
 * `raster.rgb` (row-major, 3 bytes per pixel); it throws a RangeError when the buffer length does not
 * match `width × height × 3` or a side is not a positive integer.
 *
 * @example
 * import { encodePng } from '@jepa-ts/masks/node'
 * const png = encodePng({ width: 1, height: 1, rgb: new Uint8Array([255, 0, 0]) })
 * console.assert(png[1] === 0x50 && png[2] === 0x4e && png[3] === 0x47) // "PNG"
 */
import { deflateSync } from 'node:zlib'
import { concatBytes, crc32 } from '@jepa-ts/core'
import type { Raster } from '../render.ts'


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
