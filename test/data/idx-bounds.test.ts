/**
 * Gzipped IDX files whose header lies about the size: refused from the header, before inflating.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { MAX_IDX_BYTES, readIdx } from '@jepa-ts/data'
import { withTempDir } from './helpers.ts'

/** An IDX header (uint8, the given dims) followed by `bodyBytes` zeros, gzipped. */
const lyingGzip = (dims: readonly number[], bodyBytes: number): Buffer => {
  const header = Buffer.alloc(4 + 4 * dims.length)
  header.writeUInt32BE(0x800 + dims.length, 0)
  dims.forEach((d, r) => header.writeUInt32BE(d, 4 + 4 * r))
  return gzipSync(Buffer.concat([header, Buffer.alloc(bodyBytes)]))
}

test('a gzipped IDX whose header declares more than MAX_IDX_BYTES is refused before inflating', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'huge-images-idx3-ubyte.gz')
    writeFileSync(file, lyingGzip([70000, 65536, 784], 2_000_000)) // declares 3.6 TB
    const began = performance.now()
    const r = readIdx(file, 3)
    assert.ok(r._tag === 'Left', 'refused')
    assert.match(r.left.message, new RegExp(`huge-images-idx3-ubyte\\.gz.*at most ${MAX_IDX_BYTES} bytes.*refused before inflating`))
    assert.ok(performance.now() - began < 500, 'from the header alone')
  })
})

test('a gzipped IDX whose header declares more than its stream can inflate to is refused before inflating', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'bomb-images-idx3-ubyte.gz')
    writeFileSync(file, lyingGzip([10000, 200, 200], 1_000_000)) // declares 400 MB from a ~1 kB stream
    const r = readIdx(file, 3)
    assert.ok(r._tag === 'Left', 'refused')
    assert.match(r.left.message, /bomb-images-idx3-ubyte\.gz.*gzipped bytes can inflate to.*400000016 bytes.*refused before inflating/)
  })
})

test('a gzipped IDX that tells the truth still reads (the bounds refuse nothing real)', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'zeros-idx3-ubyte.gz')
    writeFileSync(file, lyingGzip([100, 28, 28], 100 * 28 * 28)) // all zeros: compresses ~1000:1, near deflate's bound
    const r = readIdx(file, 3)
    assert.ok(r._tag === 'Right', JSON.stringify(r))
    assert.deepEqual(r.right.dims, [100, 28, 28])
  })
})
