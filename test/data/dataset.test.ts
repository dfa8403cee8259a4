import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { join } from 'node:path'
import { keyOf } from '@jepa-ts/core'
import { type ImageDataset, checkDataset, datasetSummary, DatasetError, imageAt, loadDefaultDataset, orThrow, SYNTHETIC_DATA, pixelStats, subset, syntheticShapes } from '@jepa-ts/data'
import { withTempDir, writeTinyFashionMnist } from './helpers.ts'

const tiny = (): ImageDataset => ({
  name: 'tiny',
  height: 2,
  width: 2,
  channels: 1,
  size: 3,
  images: Uint8Array.from([0, 0, 0, 0, 255, 255, 255, 255, 0, 255, 0, 255]),
  labels: { class: Int32Array.from([0, 1, 1]) },
  classNames: { class: ['off', 'on'] },
})

test('checkDataset accepts a well-formed dataset and names the field of each violation', () => {
  assert.equal(checkDataset(tiny())._tag, 'Right')
  const msg = (ds: ImageDataset): string => {
    const r = checkDataset(ds)
    assert.ok(r._tag === 'Left')
    return r.left.message
  }
  assert.equal(msg({ ...tiny(), images: new Uint8Array(11) }), 'tiny: images: expected 12 bytes (3·2·2·1), got 11 bytes')
  assert.equal(msg({ ...tiny(), labels: { class: Int32Array.from([0, 1]) } }), 'tiny: labels.class: expected 3 labels (one per image), got 2')
  assert.equal(msg({ ...tiny(), labels: { class: Int32Array.from([0, 2, 1]) } }), 'tiny: labels.class[1]: expected a value in [0, 2), got 2')
  assert.equal(msg({ ...tiny(), classNames: {} }), 'tiny: classNames.class: expected class names for every label field, got none')
  assert.equal(msg({ ...tiny(), height: 0 }), 'tiny: height: expected a positive integer, got 0')
})

test('subset gathers images and labels by index (the law: subset(ds, I) image j = ds image I[j])', () => {
  const ds = orThrow(syntheticShapes(keyOf(3), { n: 12 }))
  fc.assert(fc.property(fc.array(fc.nat({ max: 11 }), { maxLength: 20 }), (indices) => {
    const sub = subset(ds, indices)
    assert.equal(checkDataset(sub)._tag, 'Right')
    return indices.every((i, j) => {
      const same = imageAt(sub, j).every((v, p) => v === imageAt(ds, i)[p])
      return same && Object.keys(ds.labels).every((f) => sub.labels[f]![j] === ds.labels[f]![i])
    })
  }))
})

test('pixelStats gives the per-channel mean and std of x/255; datasetSummary is one line', () => {
  const { mean, std } = pixelStats(tiny())
  assert.ok(Math.abs(mean[0]! - 0.5) < 1e-12 && Math.abs(std[0]! - 0.5) < 1e-12)
  assert.equal(datasetSummary(tiny()), 'tiny: 3 images of 2×2×1, labels: class (2)')
  const shapes = orThrow(syntheticShapes(keyOf(1), { n: 5 }))
  assert.equal(datasetSummary(shapes), 'synthetic-shapes: 5 images of 32×32×1, labels: shape (4), count (4), posX (3), posY (3)')
})

test('orThrow raises a DatasetError carrying the DataError', () => {
  const r = syntheticShapes(keyOf(0), { n: -2 })
  assert.throws(() => orThrow(r), (e: unknown) => e instanceof DatasetError && e.detail.field === 'options.n' && /options\.n/.test(e.message))
})

test('loadDefaultDataset: Fashion-MNIST when installed, else synthetic shapes with a note saying so plainly', async () => {
  await withTempDir((dir) => {
    const absent = join(dir, 'absent')
    const fallback = loadDefaultDataset('test', { key: keyOf(4), installedDir: absent, syntheticCount: 16 })
    assert.ok(fallback._tag === 'Right')
    assert.equal(fallback.right.source, 'synthetic-shapes')
    assert.equal(fallback.right.dataset.size, 16)
    assert.match(fallback.right.note, new RegExp(`Fashion-MNIST not found at ${absent}: using the embedded synthetic shapes dataset`))
    assert.match(fallback.right.note, /apt-get install dataset-fashion-mnist/)
    // train and test splits of the fallback are different images
    const train = loadDefaultDataset('train', { key: keyOf(4), installedDir: absent, syntheticCount: 16 })
    assert.ok(train._tag === 'Right')
    assert.notDeepEqual(train.right.dataset.images, fallback.right.dataset.images)

    writeTinyFashionMnist(dir, 'test', { n: 7 })
    const installed = loadDefaultDataset('test', { key: keyOf(4), installedDir: dir })
    assert.ok(installed._tag === 'Right' && installed.right.source === 'fashion-mnist' && installed.right.dataset.size === 7)
    assert.equal(installed.right.note, `using Fashion-MNIST test from ${dir}`)
    // `--data synthetic` picks the synthetic shapes even when Fashion-MNIST is installed.
    const asked = loadDefaultDataset('test', { key: keyOf(4), installedDir: dir, dataPath: SYNTHETIC_DATA, syntheticCount: 16 })
    assert.ok(asked._tag === 'Right' && asked.right.source === 'synthetic-shapes', 'synthetic shapes when asked')
    assert.deepEqual(asked.right.dataset.images, fallback.right.dataset.images, 'the same images as the fallback')
    assert.match(asked.right.note, /as asked \(--data synthetic\)/)

    // An explicit --data folder without the files is an error, never a silent fallback.
    const explicit = loadDefaultDataset('train', { key: keyOf(4), dataPath: absent })
    assert.ok(explicit._tag === 'Left' && explicit.left.file === absent && /train-images-idx3-ubyte/.test(explicit.left.message))
    // A broken installed copy is an error too.
    writeTinyFashionMnist(dir, 'train', { n: 5, labelCount: 6 })
    const broken = loadDefaultDataset('train', { key: keyOf(4), installedDir: dir })
    assert.ok(broken._tag === 'Left' && /expected 5 labels/.test(broken.left.message))
  })
})
