import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { encodeIdx, parseIdx, readIdx } from '@jepa-ts/data'
import { withTempDir } from './helpers.ts'

const idxArray = fc
  .array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 })
  .chain((dims) => fc.tuple(fc.constant(dims), fc.uint8Array({ minLength: dims.reduce((a, b) => a * b, 1), maxLength: dims.reduce((a, b) => a * b, 1) })))

test('parseIdx inverts encodeIdx (any rank, any dims)', () => {
  fc.assert(fc.property(idxArray, ([dims, data]) => {
    const parsed = parseIdx(encodeIdx(dims, data), 'x.idx')
    assert.equal(parsed._tag, 'Right')
    if (parsed._tag === 'Right') {
      assert.deepEqual(parsed.right.dims, dims)
      assert.deepEqual([...parsed.right.data], [...data])
    }
  }))
})

test('any cut of an IDX file is an error naming the file, never a short array', () => {
  fc.assert(fc.property(idxArray, fc.nat(), ([dims, data], cutSeed) => {
    const bytes = encodeIdx(dims, data)
    const cut = cutSeed % bytes.length
    const parsed = parseIdx(bytes.subarray(0, cut), 'cut.idx')
    return parsed._tag === 'Left' && parsed.left.file === 'cut.idx' && parsed.left.message.startsWith('cut.idx')
  }))
})

test('parseIdx names the field of each header error', () => {
  const good = encodeIdx([2, 3], new Uint8Array(6))
  const badMagic = Uint8Array.from(good)
  badMagic[2] = 0x0d // float32 type code
  const r1 = parseIdx(badMagic, 'f.idx')
  assert.ok(r1._tag === 'Left' && r1.left.field === 'magic' && /0x00000d02/.test(r1.left.message), JSON.stringify(r1))
  const r2 = parseIdx(good, 'g.idx', 3)
  assert.ok(r2._tag === 'Left' && r2.left.field === 'magic' && /0x00000803 \(rank 3\)/.test(r2.left.message) && /rank 2/.test(r2.left.message))
  const r3 = parseIdx(good.subarray(0, 10), 'h.idx')
  assert.ok(r3._tag === 'Left' && r3.left.field === 'dims' && /truncated header/.test(r3.left.message))
  const r4 = parseIdx(good.subarray(0, good.length - 1), 'i.idx')
  assert.ok(r4._tag === 'Left' && r4.left.field === 'data' && /6 bytes of data for dims \[2, 3\]/.test(r4.left.message) && /got 5 bytes/.test(r4.left.message))
  const r5 = parseIdx(Uint8Array.from([...good, 1]), 'j.idx')
  assert.ok(r5._tag === 'Left' && /trailing bytes/.test(r5.left.message))
})

test('a huge declared size is refused from the header, before allocating', () => {
  const bytes = new Uint8Array(16)
  new DataView(bytes.buffer).setUint32(0, 0x803)
  new DataView(bytes.buffer).setUint32(4, 0xffffffff)
  new DataView(bytes.buffer).setUint32(8, 0xffffffff)
  new DataView(bytes.buffer).setUint32(12, 0xffffffff)
  const r = parseIdx(bytes, 'huge.idx', 3)
  assert.ok(r._tag === 'Left' && /truncated data/.test(r.left.message))
})

test('readIdx reads plain and gzipped files alike; a truncated gzip or a missing file names the file', async () => {
  await withTempDir((dir) => {
    const data = Uint8Array.from({ length: 24 }, (_, i) => i)
    const plain = join(dir, 'a-idx3-ubyte')
    const gz = join(dir, 'a-idx3-ubyte.gz')
    writeFileSync(plain, encodeIdx([2, 3, 4], data))
    const zipped = gzipSync(encodeIdx([2, 3, 4], data))
    writeFileSync(gz, zipped)
    const a = readIdx(plain, 3)
    const b = readIdx(gz, 3)
    assert.ok(a._tag === 'Right' && b._tag === 'Right')
    assert.deepEqual([...a.right.data], [...b.right.data])
    const cut = join(dir, 'cut-idx3-ubyte.gz')
    writeFileSync(cut, zipped.subarray(0, zipped.length - 12))
    const c = readIdx(cut, 3)
    assert.ok(c._tag === 'Left' && c.left.file === cut && /gzip/.test(c.left.message), JSON.stringify(c))
    const long = join(dir, 'long-idx3-ubyte.gz')
    writeFileSync(long, gzipSync(Uint8Array.from([...encodeIdx([2, 3, 4], data), ...new Uint8Array(5000)])))
    const e = readIdx(long, 3)
    assert.ok(e._tag === 'Left' && e.left.file === long && e.left.field === 'data' && /expected at most 40 bytes once decompressed/.test(e.left.message), JSON.stringify(e))
    const wrongRank = join(dir, 'labels-idx1-ubyte.gz')
    writeFileSync(wrongRank, gzipSync(encodeIdx([24], data)))
    const f = readIdx(wrongRank, 3)
    assert.ok(f._tag === 'Left' && f.left.field === 'magic', JSON.stringify(f))
    const missing = join(dir, 'nope-idx3-ubyte')
    const d = readIdx(missing, 3)
    assert.ok(d._tag === 'Left' && d.left.file === missing && /no such file/.test(d.left.message))
  })
})
