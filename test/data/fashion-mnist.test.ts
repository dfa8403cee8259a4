import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { FASHION_MNIST_CLASSES, findFashionMnist, loadFashionMnist, datasetSummary, DEBIAN_FASHION_MNIST_DIR } from '@jepa-ts/data'
import { withTempDir, writeTinyFashionMnist } from './helpers.ts'

test('the installed Fashion-MNIST test split: 10 000 images of 28×28×1, 1 000 per class', () => {
  const r = loadFashionMnist('test')
  assert.ok(r._tag === 'Right', r._tag === 'Left' ? r.left.message : '')
  const ds = r.right
  assert.equal(ds.size, 10000)
  assert.deepEqual([ds.height, ds.width, ds.channels], [28, 28, 1])
  assert.equal(ds.images.length, 10000 * 28 * 28)
  const counts = new Array<number>(10).fill(0)
  for (const c of ds.labels.class!) counts[c]!++
  assert.deepEqual(counts, new Array<number>(10).fill(1000))
  assert.deepEqual(ds.classNames.class, FASHION_MNIST_CLASSES)
  // Checked against an independent reader (Python gzip + struct over the same files): the first ten
  // labels, the pixel sum of the first and last image and of the whole split.
  assert.deepEqual([...ds.labels.class!.subarray(0, 10)], [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
  const sum = (a: Uint8Array): number => a.reduce((s, v) => s + v, 0)
  assert.deepEqual([sum(ds.images.subarray(0, 784)), sum(ds.images.subarray(-784)), sum(ds.images)], [33456, 24390, 573469082])
  assert.equal(datasetSummary(ds), 'fashion-mnist/test: 10000 images of 28×28×1, labels: class (10)')
})

test('a --data folder with gzipped or plain IDX files loads the same dataset', async () => {
  await withTempDir((dir) => {
    const gzDir = join(dir, 'gz')
    const plainDir = join(dir, 'plain')
    for (const [d, gzip] of [[gzDir, true], [plainDir, false]] as const) {
      mkdirSync(d)
      writeTinyFashionMnist(d, 'train', { n: 12, gzip })
    }
    const a = loadFashionMnist('train', gzDir)
    const b = loadFashionMnist('train', plainDir)
    assert.ok(a._tag === 'Right' && b._tag === 'Right')
    assert.deepEqual([...a.right.images], [...b.right.images])
    assert.deepEqual([...a.right.labels.class!], Array.from({ length: 12 }, (_, i) => i % 10))
    assert.deepEqual([a.right.height, a.right.width, a.right.size], [4, 3, 12])
  })
})

test('a missing dataset says what was looked for and how to install it', async () => {
  await withTempDir((dir) => {
    const r = findFashionMnist('train', dir)
    assert.ok(r._tag === 'Left')
    assert.match(r.left.message, new RegExp(`${join(dir, 'train-images-idx3-ubyte.gz')} or ${join(dir, 'train-images-idx3-ubyte')}`))
    assert.match(r.left.message, /apt-get install dataset-fashion-mnist/)
    const installed = findFashionMnist('test', undefined, join(dir, 'nowhere'))
    assert.ok(installed._tag === 'Left' && /--data <dir>/.test(installed.left.message) && /apt-get install dataset-fashion-mnist/.test(installed.left.message))
    const { labels } = writeTinyFashionMnist(dir, 'test', { n: 3 })
    rmSync(labels)
    const onlyImages = loadFashionMnist('test', dir)
    assert.ok(onlyImages._tag === 'Left' && onlyImages.left.message.includes('t10k-labels-idx1-ubyte') && !onlyImages.left.message.includes('t10k-images'))
  })
  assert.equal(DEBIAN_FASHION_MNIST_DIR, '/usr/share/datasets/fashion-mnist')
})

test('labels and images of different counts: the error names the labels file and both counts', async () => {
  await withTempDir((dir) => {
    const { labels } = writeTinyFashionMnist(dir, 'train', { n: 5, labelCount: 4 })
    const r = loadFashionMnist('train', dir)
    assert.ok(r._tag === 'Left')
    assert.equal(r.left.file, labels)
    assert.equal(r.left.field, 'dims[0]')
    assert.match(r.left.message, /expected 5 labels, one per image of .*train-images-idx3-ubyte\.gz, got 4 labels/)
  })
})

test('a label outside 0..9 names the file and the entry', async () => {
  await withTempDir((dir) => {
    const { labels } = writeTinyFashionMnist(dir, 'train', { n: 12 })
    const bytes = Uint8Array.from({ length: 12 }, (_, i) => (i === 7 ? 10 : 0))
    const header = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 12])
    writeFileSync(labels, gzipSync(Uint8Array.from([...header, ...bytes])))
    const r = loadFashionMnist('train', dir)
    assert.ok(r._tag === 'Left' && r.left.file === labels && r.left.field === 'labels[7]' && /0\.\.9/.test(r.left.message), JSON.stringify(r))
  })
})

test('images stored with the labels magic (rank 1) are refused, naming the images file', async () => {
  await withTempDir((dir) => {
    const { images, labels } = writeTinyFashionMnist(dir, 'train', { n: 3 })
    copyFileSync(labels, images)
    const r = loadFashionMnist('train', dir)
    assert.ok(r._tag === 'Left' && r.left.file === images && r.left.field === 'magic' && /0x00000803/.test(r.left.message))
  })
})
