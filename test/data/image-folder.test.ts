import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { decodeImageFile, encodeImage, loadImageFolder } from '@jepa-ts/data'
import { withTempDir } from './helpers.ts'

const gray = (h: number, w: number, f: (y: number, x: number) => number): Uint8Array =>
  Uint8Array.from({ length: h * w }, (_, i) => f(Math.floor(i / w), i % w))

/** Writes `<dir>/<cls>/<name>` images; returns the dir. */
const writeTree = async (dir: string, files: Record<string, Record<string, Buffer>>): Promise<string> => {
  for (const [cls, images] of Object.entries(files)) {
    mkdirSync(join(dir, cls), { recursive: true })
    for (const [name, bytes] of Object.entries(images)) writeFileSync(join(dir, cls, name), bytes)
  }
  return dir
}

test('a PNG round-trips exactly through encodeImage and decodeImageFile at its own size', async () => {
  await withTempDir(async (dir) => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.constantFrom(1 as const, 3 as const), fc.nat(), async (side, channels, seed) => {
      const pixels = Uint8Array.from({ length: side * side * channels }, (_, i) => (i * 37 + seed) % 256)
      const file = join(dir, `img-${side}-${channels}.png`)
      writeFileSync(file, await encodeImage({ pixels, height: side, width: side, channels }, 'png'))
      const decoded = await decodeImageFile(file, side, channels)
      assert.ok(decoded._tag === 'Right', decoded._tag === 'Left' ? decoded.left.message : '')
      assert.deepEqual([...decoded.right], [...pixels])
    }), { numRuns: 15 })
  })
})

test('an image folder: sorted classes, sorted files, labels by class, limitPerClass', async () => {
  await withTempDir(async (dir) => {
    const png = (v: number): Promise<Buffer> => encodeImage({ pixels: gray(6, 6, () => v), height: 6, width: 6, channels: 1 }, 'png')
    const jpg = (v: number): Promise<Buffer> => encodeImage({ pixels: gray(6, 6, () => v), height: 6, width: 6, channels: 1 }, 'jpeg')
    await writeTree(dir, {
      zebra: { 'b.png': await png(200), 'a.PNG': await png(210) },
      ant: { 'x.jpg': await jpg(40), '.DS_Store': Buffer.from('junk') },
      moth: { 'only.jpeg': await jpg(120) },
    })
    writeFileSync(join(dir, 'README.txt'), 'top-level files are ignored')
    const r = await loadImageFolder(dir, { size: 6, channels: 1 })
    assert.ok(r._tag === 'Right', r._tag === 'Left' ? r.left.message : '')
    const ds = r.right
    assert.deepEqual(ds.classNames.class, ['ant', 'moth', 'zebra'])
    assert.deepEqual([...ds.labels.class!], [0, 1, 2, 2])
    assert.deepEqual([ds.size, ds.height, ds.width, ds.channels], [4, 6, 6, 1])
    // Files sorted by name within a class: 'a.PNG' (210) before 'b.png' (200); JPEG is near its value.
    assert.deepEqual([ds.images[3 * 36], ds.images[2 * 36]], [200, 210])
    assert.ok(Math.abs(ds.images[0]! - 40) <= 2 && Math.abs(ds.images[36]! - 120) <= 2)
    const limited = await loadImageFolder(dir, { size: 6, channels: 3, limitPerClass: 1 })
    assert.ok(limited._tag === 'Right')
    assert.deepEqual([...limited.right.labels.class!], [0, 1, 2])
    assert.equal(limited.right.channels, 3)
    assert.equal(limited.right.images[2 * 108], 210) // gray → RGB keeps the value
  })
})

test('class folders and files are read in sorted order whatever order the file system lists them in', async () => {
  await withTempDir(async (dir) => {
    const names = ['q', 'c', 'x', 'a', 'm', 'z', 'f', 'k', 'b', 'r', 'e', 'w']
    const files: Record<string, Record<string, Buffer>> = {}
    for (const [i, cls] of names.entries()) {
      files[cls] = {}
      for (const f of ['9.png', '1.png', '5.png']) {
        files[cls][f] = await encodeImage({ pixels: gray(2, 2, () => 10 * i + Number(f[0])), height: 2, width: 2, channels: 1 }, 'png')
      }
    }
    await writeTree(dir, files)
    const r = await loadImageFolder(dir, { size: 2, channels: 1 })
    assert.ok(r._tag === 'Right')
    const sorted = [...names].sort()
    assert.deepEqual(r.right.classNames.class, sorted)
    const firstPixels = Array.from({ length: r.right.size }, (_, i) => r.right.images[i * 4]!)
    assert.deepEqual(firstPixels, sorted.flatMap((cls) => [1, 5, 9].map((d) => 10 * names.indexOf(cls) + d)))
  })
})

test('resizing covers the square and crops the center', async () => {
  await withTempDir(async (dir) => {
    // 4 rows × 12 columns: left third 0, middle third 255, right third 0. Cover to 4×4 keeps the middle.
    const pixels = gray(4, 12, (_, x) => (x >= 4 && x < 8 ? 255 : 0))
    await writeTree(dir, { wide: { 'w.png': await encodeImage({ pixels, height: 4, width: 12, channels: 1 }, 'png') } })
    const r = await loadImageFolder(dir, { size: 4, channels: 1 })
    assert.ok(r._tag === 'Right')
    assert.ok([...r.right.images].every((v) => v === 255), `center crop expected all 255, got ${[...r.right.images]}`)
  })
})

test('bad folders: each error names the file or folder and what was expected', async () => {
  await withTempDir(async (dir) => {
    const good = await encodeImage({ pixels: gray(3, 3, () => 9), height: 3, width: 3, channels: 1 }, 'png')
    const missing = join(dir, 'missing')
    const r1 = await loadImageFolder(missing, { size: 4, channels: 1 })
    assert.ok(r1._tag === 'Left' && r1.left.file === missing && /no such folder/.test(r1.left.message))

    const flat = join(dir, 'flat')
    mkdirSync(flat)
    writeFileSync(join(flat, 'a.png'), good)
    const r2 = await loadImageFolder(flat, { size: 4, channels: 1 })
    assert.ok(r2._tag === 'Left' && /one sub-folder per class/.test(r2.left.message))

    const empty = await writeTree(join(dir, 'empty'), { cats: { 'c.png': good }, dogs: {} })
    const r3 = await loadImageFolder(empty, { size: 4, channels: 1 })
    assert.ok(r3._tag === 'Left' && r3.left.file === join(empty, 'dogs') && /class folder 'dogs'/.test(r3.left.message))

    const corrupt = await writeTree(join(dir, 'corrupt'), { cats: { 'a.png': good, 'b.png': Buffer.from('not a png at all') } })
    const r4 = await loadImageFolder(corrupt, { size: 4, channels: 1 })
    assert.ok(r4._tag === 'Left' && r4.left.file === join(corrupt, 'cats', 'b.png') && /decodable PNG or JPEG/.test(r4.left.message), JSON.stringify(r4))

    const truncated = await writeTree(join(dir, 'truncated'), { cats: { 'a.png': good.subarray(0, good.length - 20) } })
    const r5 = await loadImageFolder(truncated, { size: 4, channels: 1 })
    assert.ok(r5._tag === 'Left' && r5.left.file === join(truncated, 'cats', 'a.png'), JSON.stringify(r5))

    const other = await writeTree(join(dir, 'other'), { cats: { 'a.png': good, 'notes.txt': Buffer.from('hi') } })
    const r6 = await loadImageFolder(other, { size: 4, channels: 1 })
    assert.ok(r6._tag === 'Left' && r6.left.file === join(other, 'cats', 'notes.txt') && /an image file \(\.png, \.jpg, \.jpeg\)/.test(r6.left.message))

    const r7 = await loadImageFolder(other, { size: 0, channels: 1 })
    assert.ok(r7._tag === 'Left' && r7.left.field === 'options.size')
  })
})
