/**
 * `crc32(bytes, start, end)`: the CRC-32 (IEEE, reflected, polynomial 0xEDB88320) of a byte range —
 * the checksum of PNG chunks, zip entries and gzip. Pure (no node:zlib), so the torch reader and
 * the PNG encoder share it in any runtime. Law: equals node:zlib's `crc32` on any bytes.
 *
 * @example
 * import { crc32 } from '@jepa-ts/core'
 * console.assert(crc32(new TextEncoder().encode('123456789')) === 0xcbf43926)
 */

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
