import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { type ImageDataset, toBatchArray, toBatchTensor, toLabelTensor } from '@jepa-ts/data'

const dataset = (h: number, w: number, c: number, n: number): ImageDataset => ({
  name: 'tiny',
  height: h,
  width: w,
  channels: c,
  size: n,
  images: Uint8Array.from({ length: n * h * w * c }, (_, i) => (i * 31 + 7) % 256),
  labels: { class: Int32Array.from({ length: n }, (_, i) => i % 3) },
  classNames: { class: ['a', 'b', 'c'] },
})

const cases = fc.record({
  h: fc.integer({ min: 1, max: 6 }),
  w: fc.integer({ min: 1, max: 6 }),
  c: fc.constantFrom(1, 3),
  n: fc.integer({ min: 1, max: 5 }),
  extra: fc.integer({ min: 0, max: 4 }),
  picks: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
})

test('toBatchArray: unit pixels are x/255 at [b, y, x, c], and the order follows the indices', () => {
  fc.assert(fc.property(cases, ({ h, w, c, n, picks }) => {
    const ds = dataset(h, w, c, n)
    const indices = picks.map((p) => p % n)
    const { data, shape } = toBatchArray(ds, indices)
    assert.deepEqual(shape, [indices.length, h, w, c])
    for (let b = 0; b < indices.length; b++) {
      for (let p = 0; p < h * w * c; p++) {
        const expected = ds.images[indices[b]! * h * w * c + p]! / 255
        if (Math.abs(data[b * h * w * c + p]! - expected) > 1e-6) return false
      }
    }
    return true
  }))
})

test('padTo centers the image in a black border; normalization maps black to −mean/std', () => {
  fc.assert(fc.property(cases, ({ h, w, c, n, extra, picks }) => {
    const ds = dataset(h, w, c, n)
    const side = Math.max(h, w) + extra
    const indices = picks.map((p) => p % n)
    const mean = Array.from({ length: c }, (_, k) => 0.2 + 0.1 * k)
    const std = Array.from({ length: c }, (_, k) => 0.5 - 0.1 * k)
    const unit = toBatchArray(ds, indices, { padTo: side })
    const norm = toBatchArray(ds, indices, { padTo: side, pixels: { mean, std } })
    assert.deepEqual(unit.shape, [indices.length, side, side, c])
    const top = Math.floor((side - h) / 2)
    const left = Math.floor((side - w) / 2)
    for (let b = 0; b < indices.length; b++) {
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          for (let k = 0; k < c; k++) {
            const at = ((b * side + y) * side + x) * c + k
            const iy = y - top
            const ix = x - left
            const raw = iy >= 0 && iy < h && ix >= 0 && ix < w ? ds.images[((indices[b]! * h + iy) * w + ix) * c + k]! : 0
            if (Math.abs(unit.data[at]! - raw / 255) > 1e-6) return false
            if (Math.abs(norm.data[at]! - (raw / 255 - mean[k]!) / std[k]!) > 1e-5) return false
          }
        }
      }
    }
    return true
  }))
})

test('Fashion-MNIST-sized 28 → 32 padding: two black rows and columns on each side', () => {
  const ds = { ...dataset(28, 28, 1, 1), images: new Uint8Array(28 * 28).fill(255) }
  const { data } = toBatchArray(ds, [0], { padTo: 32 })
  const row = (y: number): number[] => [...data.subarray(y * 32, y * 32 + 32)]
  assert.deepEqual(row(1), new Array<number>(32).fill(0))
  assert.deepEqual(row(2), [0, 0, ...new Array<number>(28).fill(1), 0, 0])
  assert.deepEqual(row(30), new Array<number>(32).fill(0))
})

test('toBatchTensor uploads the same numbers as a float32 Tensor4D; toLabelTensor gathers labels', async () => {
  const ds = dataset(3, 2, 3, 4)
  const { data } = toBatchArray(ds, [3, 1], { padTo: 4 })
  const t = toBatchTensor(ds, [3, 1], { padTo: 4 })
  const labels = toLabelTensor(ds, 'class', [3, 1, 2])
  try {
    assert.deepEqual(t.shape, [2, 4, 4, 3])
    assert.equal(t.dtype, 'float32')
    assert.deepEqual(await t.data(), data)
    assert.equal(labels.dtype, 'int32')
    assert.deepEqual([...(await labels.data())], [0, 1, 2])
  } finally {
    tf.dispose([t, labels])
  }
})

test('bad arguments name what was expected', () => {
  const ds = dataset(3, 3, 1, 2)
  assert.throws(() => toBatchArray(ds, [2]), /tiny: image index must be an integer in \[0, 2\), got 2/)
  assert.throws(() => toBatchArray(ds, [0], { padTo: 2 }), /padTo must be an integer ≥ the image size 3×3 of tiny, got 2/)
  assert.throws(() => toBatchArray(ds, [0], { pixels: { mean: [0.5, 0.5], std: [1, 1] } }), /need 1 entries/)
  assert.throws(() => toBatchArray(ds, [0], { pixels: { mean: [0.5], std: [0] } }), /std > 0/)
  assert.throws(() => toLabelTensor(ds, 'shape', [0]), /tiny has no label field 'shape' \(fields: class\)/)
  assert.throws(() => toLabelTensor(ds, 'class', [5]), /index must be an integer in \[0, 2\) for tiny, got 5/)
})
