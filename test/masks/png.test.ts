import { test } from 'node:test'
import assert from 'node:assert/strict'
import { crc32 as zlibCrc32, inflateSync } from 'node:zlib'
import fc from 'fast-check'
import { crc32 } from '@jepa-ts/core'
import { encodePng } from '@jepa-ts/masks/node'

/** A small PNG reader for the tests: checks the signature and every chunk's CRC, returns IHDR and inflated IDAT. */
const readPng = (bytes: Uint8Array) => {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const chunks: Array<{ type: string; data: Uint8Array }> = []
  let at = 8
  while (at < bytes.length) {
    const length = view.getUint32(at)
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8))
    const data = bytes.subarray(at + 8, at + 8 + length)
    assert.equal(view.getUint32(at + 8 + length), zlibCrc32(bytes.subarray(at + 4, at + 8 + length)) >>> 0, `CRC of ${type}`)
    chunks.push({ type, data })
    at += 12 + length
  }
  assert.deepEqual(chunks.map((c) => c.type), ['IHDR', 'IDAT', 'IEND'])
  const ihdr = new DataView(chunks[0]!.data.buffer, chunks[0]!.data.byteOffset, 13)
  return { width: ihdr.getUint32(0), height: ihdr.getUint32(4), header: [...chunks[0]!.data.subarray(8)], idat: new Uint8Array(inflateSync(chunks[1]!.data)) }
}

test('law: crc32 agrees with node:zlib on any bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => crc32(bytes) === zlibCrc32(bytes) >>> 0))
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926) // the standard check value
})

test('law: encodePng round-trips any RGB raster (signature, chunk CRCs, IHDR, filter-0 rows, pixels)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.nat(), (width, height, seed) => {
      const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37 + seed * 11) & 0xff)
      const png = readPng(encodePng({ width, height, rgb }))
      assert.deepEqual([png.width, png.height, ...png.header], [width, height, 8, 2, 0, 0, 0])
      assert.equal(png.idat.length, height * (width * 3 + 1))
      for (let y = 0; y < height; y++) {
        const row = png.idat.subarray(y * (width * 3 + 1), (y + 1) * (width * 3 + 1))
        assert.equal(row[0], 0)
        assert.deepEqual(row.subarray(1), rgb.subarray(y * width * 3, (y + 1) * width * 3))
      }
    }),
    { numRuns: 50 },
  )
})

test('encodePng rejects a buffer of the wrong size, naming both sizes', () => {
  assert.throws(() => encodePng({ width: 2, height: 2, rgb: new Uint8Array(11) }), /expected 2×2×3 = 12 bytes of RGB, got 11/)
  assert.throws(() => encodePng({ width: 0, height: 2, rgb: new Uint8Array(0) }), /positive integers, got 0×2/)
})
