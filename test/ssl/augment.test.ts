/** Laws of the key-seeded view pipeline (packages/ssl/src/augment), on cpu, plus cpu ↔ wasm agreement. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { type Key, decodeOrThrow, fold, keyOf, uniform } from '@jepa-ts/core'
import { useBackend } from '@jepa-ts/engine'
import {
  ViewsCodec, blurMatrix, colorJitter, flipHorizontal, gaussianBlur, gaussianNoise, gaussianWeights, noAugmentInput,
  randomResizedCrop, sampleCropBox, viewPipeline, withProbability,
} from '@jepa-ts/ssl'

await useBackend('cpu')

const RUNS = { numRuns: 15 }
const seed = fc.integer({ min: 0, max: 2 ** 31 })
const dims = fc.record({ B: fc.integer({ min: 1, max: 3 }), H: fc.integer({ min: 2, max: 9 }), W: fc.integer({ min: 2, max: 9 }), C: fc.integer({ min: 1, max: 2 }) })
/** Images in [0, 1] from a key (host draws, so the generator is reproducible). */
const imagesOf = (s: number, d: { B: number; H: number; W: number; C: number }): tf.Tensor4D =>
  tf.tensor4d(uniform(keyOf(s), d.B * d.H * d.W * d.C), [d.B, d.H, d.W, d.C])
const defaults = viewPipeline(decodeOrThrow(ViewsCodec, {}))
const strong = viewPipeline(decodeOrThrow(ViewsCodec, { jitter: { prob: 1 }, blur: { prob: 1 }, noise: { prob: 1, std: 0.3 } }))
const values = (t: tf.Tensor): number[] => Array.from(t.dataSync())
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!)

test('same key → identical views; shapes preserved; values stay in [0, 1]', () => {
  fc.assert(
    fc.property(seed, seed, dims, (s, k, d) =>
      tf.tidy(() => {
        const x = imagesOf(s, d)
        const a = strong(keyOf(k), x)
        const b = strong(keyOf(k), x)
        assert.deepEqual(a.shape, x.shape, 'shape preserved')
        assert.deepEqual(values(a), values(b), 'same key, same view')
        const v = values(a)
        assert.ok(v.every((y) => y >= 0 && y <= 1), `values in [0, 1], got [${Math.min(...v)}, ${Math.max(...v)}]`)
        return true
      }),
    ),
    RUNS,
  )
})

test('different keys → different views (default recipe)', () => {
  fc.assert(
    fc.property(seed, seed, seed, (s, k1, k2) => {
      fc.pre(k1 !== k2)
      return tf.tidy(() => {
        const x = imagesOf(s, { B: 4, H: 16, W: 16, C: 1 })
        const diff = maxAbsDiff(defaults(keyOf(k1), x), defaults(keyOf(k2), x))
        assert.ok(diff > 1e-3, `views of different keys differ (max |Δ| = ${diff})`)
        return true
      })
    }),
    RUNS,
  )
})

test('every probability 0 → the identity, bit for bit', () => {
  const none = viewPipeline(decodeOrThrow(ViewsCodec, noAugmentInput))
  fc.assert(
    fc.property(seed, seed, dims, (s, k, d) =>
      tf.tidy(() => {
        const x = imagesOf(s, d)
        assert.deepEqual(values(none(keyOf(k), x)), values(x), 'no augmentation')
        return true
      }),
    ),
    RUNS,
  )
})

test('flip twice = identity, and flip mirrors columns', () => {
  fc.assert(
    fc.property(seed, dims, (s, d) =>
      tf.tidy(() => {
        const x = imagesOf(s, d)
        const once = flipHorizontal(keyOf(0), x)
        assert.deepEqual(values(flipHorizontal(keyOf(1), once)), values(x), 'flip ∘ flip')
        const xa = x.arraySync()
        assert.equal(once.arraySync()[0]![0]![0]![0], xa[0]![0]![d.W - 1]![0], 'column 0 ← column W − 1')
        return true
      }),
    ),
    RUNS,
  )
})

test('crop with scale (1, 1) and aspect (1, 1) = identity on square images', () => {
  const whole = randomResizedCrop({ scale: [1, 1], aspect: [1, 1] })
  fc.assert(
    fc.property(seed, seed, fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 3 }), (s, k, side, B) =>
      tf.tidy(() => {
        const x = imagesOf(s, { B, H: side, W: side, C: 1 })
        const diff = maxAbsDiff(whole(keyOf(k), x), x)
        assert.ok(diff < 1e-6, `whole-image crop is the identity (max |Δ| = ${diff})`)
        return true
      }),
    ),
    RUNS,
  )
})

test('crop boxes lie inside the image and are not empty', () => {
  fc.assert(
    fc.property(seed, fc.integer({ min: 8, max: 64 }), fc.integer({ min: 8, max: 64 }), fc.integer({ min: 0, max: 63 }), (k, H, W, b) => {
      const box = sampleCropBox(keyOf(k), b, H, W, { scale: [0.2, 1], aspect: [3 / 4, 4 / 3] })
      assert.ok(box.top >= 0 && box.left >= 0 && box.top + box.height <= H && box.left + box.width <= W, `box ${JSON.stringify(box)} inside ${H}×${W}`)
      assert.ok(box.height >= 1 && box.width >= 1, `box ${JSON.stringify(box)} not empty`)
      return true
    }),
    { numRuns: 200 },
  )
})

test('crop boxes follow the scale and aspect laws: mean area fraction and log aspect match the rule', () => {
  // The rule accepts the first try whose box fits; boxes of large area and uneven aspect do not fit,
  // so the accepted area is NOT U(s0, s1) (torchvision has the same bias). The expectation of the
  // first accepted try, integrated on a 300×300 grid of (u_scale, u_aspect), is compared with the
  // mean of 2000 sampled boxes on a 64×64 image; tolerance ~5 standard errors.
  const [H, W, s0, s1, a0, a1] = [64, 64, 0.25, 1, 3 / 4, 4 / 3]
  let mass = 0
  let areaSum = 0
  const n = 300
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const target = H * W * (s0 + ((i + 0.5) / n) * (s1 - s0))
    const r = Math.exp(Math.log(a0) + ((j + 0.5) / n) * (Math.log(a1) - Math.log(a0)))
    const w = Math.round(Math.sqrt(target * r))
    const h = Math.round(Math.sqrt(target / r))
    if (w > 0 && w <= W && h > 0 && h <= H) {
      mass++
      areaSum += (w * h) / (H * W)
    }
  }
  const expectedArea = areaSum / mass
  const boxes = Array.from({ length: 2000 }, (_, b) => sampleCropBox(keyOf(12), b, H, W, { scale: [s0, s1], aspect: [a0, a1] }))
  const area = boxes.reduce((a, x) => a + (x.height * x.width) / (H * W), 0) / boxes.length
  const logAspect = boxes.reduce((a, x) => a + Math.log(x.width / x.height), 0) / boxes.length
  assert.ok(Math.abs(area - expectedArea) < 0.025, `mean area fraction ${area}, the rule gives ${expectedArea}`)
  assert.ok(Math.abs(logAspect) < 0.02, `mean log aspect ${logAspect} (symmetric range → 0)`)
})

test('blur agrees with a direct reflected convolution; kernel 1 is the identity; constants stay constant', () => {
  const key: Key = keyOf(3)
  tf.tidy(() => {
    const x = imagesOf(7, { B: 2, H: 5, W: 6, C: 1 })
    const blurred = gaussianBlur({ kernelSize: 3, sigma: [0.5, 1.5] })(key, x).arraySync()
    const xs = x.arraySync()
    // The same per-image σ, recomputed, then a direct 2-D sum over the reflected neighbourhood.
    for (let b = 0; b < 2; b++) {
      const sigma = 0.5 + uniform(fold(key, b), 1)[0]! * 1
      const w = gaussianWeights(3, sigma)
      const refl = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i)
      for (let i = 0; i < 5; i++) for (let j = 0; j < 6; j++) {
        let s = 0
        for (let di = -1; di <= 1; di++) for (let dj = -1; dj <= 1; dj++) s += w[di + 1]! * w[dj + 1]! * xs[b]![refl(i + di, 5)]![refl(j + dj, 6)]![0]!
        assert.ok(Math.abs(s - blurred[b]![i]![j]![0]!) < 1e-5, `blur at (${b}, ${i}, ${j}): ${blurred[b]![i]![j]![0]} vs direct ${s}`)
      }
    }
    assert.ok(maxAbsDiff(gaussianBlur({ kernelSize: 1, sigma: [1, 1] })(key, x), x) < 1e-7, 'kernel 1 is the identity')
    const c = tf.fill([1, 4, 4, 1], 0.3) as tf.Tensor4D
    assert.ok(maxAbsDiff(gaussianBlur({ kernelSize: 5, sigma: [2, 2] })(key, c), c) < 1e-6, 'a constant image is unchanged')
    const rows = blurMatrix([0.25, 0.5, 0.25], 4)
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(rows.slice(4 * i, 4 * i + 4).reduce((a, v) => a + v, 0) - 1) < 1e-6, `row ${i} of the blur matrix sums to 1`)
  })
})

test('jitter and noise with zero strength are the identity on in-range images', () => {
  fc.assert(
    fc.property(seed, seed, dims, (s, k, d) =>
      tf.tidy(() => {
        const x = imagesOf(s, d)
        assert.ok(maxAbsDiff(colorJitter({ brightness: 0, contrast: 0 })(keyOf(k), x), x) < 1e-6, 'jitter 0')
        assert.ok(maxAbsDiff(gaussianNoise({ std: 0 })(keyOf(k), x), x) < 1e-7, 'noise 0')
        return true
      }),
    ),
    RUNS,
  )
})

test('withProbability applies per image: p = 1 transforms every image, p = 0.5 some but not all of 32', () => {
  tf.tidy(() => {
    const x = imagesOf(1, { B: 32, H: 4, W: 4, C: 1 })
    const flipped = flipHorizontal(keyOf(0), x)
    const changed = (y: tf.Tensor) => tf.unstack(y).map((im, b) => maxAbsDiff(im, tf.unstack(x)[b]!) > 0)
    assert.ok(changed(withProbability(1, flipHorizontal)(keyOf(2), x)).every((c) => c), 'p = 1: all flipped')
    const half = changed(withProbability(0.5, flipHorizontal)(keyOf(2), x)).filter((c) => c).length
    assert.ok(half > 4 && half < 28, `p = 0.5: ${half} of 32 flipped`)
    assert.ok(maxAbsDiff(withProbability(1, flipHorizontal)(keyOf(2), x), flipped) === 0, 'p = 1 equals the transform')
  })
})

test('config errors name the field', () => {
  const r = ViewsCodec.decode({ blur: { kernelSize: 4 } })
  assert.ok(r._tag === 'Left', 'even kernel rejected')
  assert.throws(() => decodeOrThrow(ViewsCodec, { blur: { kernelSize: 4 } }, 'views'), /views\.blur\.kernelSize \(4\) must be odd/)
  assert.throws(() => decodeOrThrow(ViewsCodec, { crop: { scale: [0, 1] } }, 'views'), /views\.crop\.scale\.0/)
  assert.throws(() => decodeOrThrow(ViewsCodec, { flip: 0.5 }, 'views'), /flip/)
})

test('the same key gives the same views on cpu and wasm (within float tolerance)', async () => {
  const run = () => tf.tidy(() => values(strong(keyOf(11), imagesOf(5, { B: 3, H: 16, W: 16, C: 1 }))))
  const onCpu = run()
  await useBackend('wasm')
  const onWasm = run()
  await useBackend('cpu')
  const diff = onCpu.reduce((m, v, i) => Math.max(m, Math.abs(v - onWasm[i]!)), 0)
  assert.ok(diff < 1e-4, `cpu vs wasm max |Δ| = ${diff}`)
})
