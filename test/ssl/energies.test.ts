/**
 * Laws of the energies (fast-check on tiny shapes): zero at the optimum, non-negativity,
 * invariances, and the input checks.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { smoothL1, l2, patchify, unpatchify, maeLoss, ntXent, vicreg, barlowTwins, negativeCosine, byolLoss } from '@jepa-ts/ssl'

await tf.setBackend('cpu')

const RUNS = { numRuns: 40 }
const value = (t: tf.Tensor): number => t.dataSync()[0]!
const entry = fc.float({ min: Math.fround(-3), max: Math.fround(3), noNaN: true, noDefaultInfinity: true })
const positive = fc.float({ min: Math.fround(0.1), max: Math.fround(10), noNaN: true, noDefaultInfinity: true })
/** An `[n, d]` matrix as a flat array with its dims. */
const matrix = (minRows: number, maxRows = 6, maxCols = 5) =>
  fc.record({ n: fc.integer({ min: minRows, max: maxRows }), d: fc.integer({ min: 1, max: maxCols }) }).chain(({ n, d }) =>
    fc.record({ n: fc.constant(n), d: fc.constant(d), a: fc.array(entry, { minLength: n * d, maxLength: n * d }), b: fc.array(entry, { minLength: n * d, maxLength: n * d }) }),
  )
const mat = (xs: readonly number[], n: number, d: number): tf.Tensor2D => tf.tensor2d(xs as number[], [n, d])

/** Columns 1..d of the 8×8 Sylvester–Hadamard matrix: mean 0, pairwise orthogonal, biased variance 1. */
const hadamardColumns = (d: number): number[][] => {
  const h = (i: number, j: number): number => ((popcount(i & j) % 2) === 0 ? 1 : -1)
  const popcount = (x: number): number => (x === 0 ? 0 : (x & 1) + popcount(x >> 1))
  return Array.from({ length: 8 }, (_, i) => Array.from({ length: d }, (_, j) => h(i, j + 1)))
}

test('smoothL1 and l2: zero at pred = target, non-negative, symmetric', () => {
  fc.assert(
    fc.property(matrix(1), fc.float({ min: Math.fround(0), max: Math.fround(3), noNaN: true }), ({ n, d, a, b }, beta) =>
      tf.tidy(() => {
        const p = mat(a, n, d)
        const t = mat(b, n, d)
        assert.equal(value(smoothL1(p, p, { beta })), 0)
        assert.equal(value(l2(p, p)), 0)
        const s = value(smoothL1(p, t, { beta }))
        assert.ok(s >= 0, `smoothL1 ${s}`)
        assert.ok(Math.abs(s - value(smoothL1(t, p, { beta }))) <= 1e-6 * Math.max(1, s))
        // smooth-L1 never exceeds the L1 distance, and equals ½·l2/β when every |d| < β
        const l1 = value(tf.mean(tf.abs(tf.sub(p, t))))
        assert.ok(s <= l1 + 1e-5, `smoothL1 ${s} > L1 ${l1}`)
        return value(l2(p, t)) >= 0
      }),
    ),
    RUNS,
  )
})

test('smoothL1 is quadratic below beta and linear above', () => {
  const p = tf.tensor1d([0, 0])
  assert.ok(Math.abs(value(smoothL1(tf.tensor1d([0.5, -0.25]), p, { beta: 1 })) - (0.125 + 0.03125) / 2) < 1e-7)
  assert.ok(Math.abs(value(smoothL1(tf.tensor1d([3, -2]), p, { beta: 1 })) - (2.5 + 1.5) / 2) < 1e-6)
  assert.ok(Math.abs(value(smoothL1(tf.tensor1d([3, -2]), p, { beta: 0 })) - 2.5) < 1e-6)
})

test('negativeCosine is −1 and byolLoss 0 when p ∥ z; byolLoss = 2 + 2·negativeCosine; bounds', () => {
  fc.assert(
    fc.property(matrix(1), fc.array(positive, { minLength: 6, maxLength: 6 }), ({ n, d, a, b }, scales) =>
      tf.tidy(() => {
        fc.pre(a.some((x) => Math.abs(x) > 1e-2))
        const rowNorms = Array.from({ length: n }, (_, i) => Math.hypot(...a.slice(i * d, (i + 1) * d)))
        fc.pre(rowNorms.every((r) => r > 1e-2))
        const p = mat(a, n, d)
        const parallel = tf.mul(p, tf.tensor2d(scales.slice(0, n), [n, 1])) as tf.Tensor2D
        assert.ok(Math.abs(value(negativeCosine(p, parallel)) + 1) < 1e-5)
        assert.ok(Math.abs(value(byolLoss(p, parallel))) < 1e-5)
        const z = mat(b, n, d)
        const neg = value(negativeCosine(p, z))
        const byol = value(byolLoss(p, z))
        assert.ok(neg >= -1 - 1e-6 && neg <= 1 + 1e-6, `negativeCosine ${neg}`)
        return Math.abs(byol - (2 + 2 * neg)) < 1e-5
      }),
    ),
    RUNS,
  )
})

test('ntXent is non-negative and invariant to positive rescaling of each embedding', () => {
  fc.assert(
    fc.property(matrix(1), fc.array(positive, { minLength: 12, maxLength: 12 }), fc.constantFrom(0.1, 0.5, 1), ({ n, d, a, b }, scales, temperature) =>
      tf.tidy(() => {
        const norms = (xs: readonly number[]) => Array.from({ length: n }, (_, i) => Math.hypot(...xs.slice(i * d, (i + 1) * d)))
        fc.pre([...norms(a), ...norms(b)].every((r) => r > 1e-2))
        const za = mat(a, n, d)
        const zb = mat(b, n, d)
        const base = value(ntXent(za, zb, { temperature }))
        assert.ok(base >= -1e-5, `ntXent ${base}`)
        const scaledA = tf.mul(za, tf.tensor2d(scales.slice(0, n), [n, 1])) as tf.Tensor2D
        const scaledB = tf.mul(zb, tf.tensor2d(scales.slice(6, 6 + n), [n, 1])) as tf.Tensor2D
        const scaled = value(ntXent(scaledA, scaledB, { temperature }))
        return Math.abs(scaled - base) <= 1e-4 * Math.max(1, base)
      }),
    ),
    RUNS,
  )
})

test('ntXent with N = 1 is 0 (the partner is the only other row); identical well-separated views are near 0', () => {
  assert.ok(Math.abs(value(ntXent(tf.tensor2d([[1, 2]]), tf.tensor2d([[3, -1]])))) < 1e-6)
  const eye = tf.eye(4) as tf.Tensor2D
  assert.ok(value(ntXent(eye, eye, { temperature: 0.05 })) < 1e-6)
})

test('barlowTwins is 0 for identical decorrelated unit-variance views, under any per-feature affine map', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 7 }), fc.array(positive, { minLength: 14, maxLength: 14 }), fc.array(entry, { minLength: 14, maxLength: 14 }), (d, scales, shifts) =>
      tf.tidy(() => {
        const base = tf.tensor2d(hadamardColumns(d))
        const affine = (off: number) => tf.add(tf.mul(base, tf.tensor1d(scales.slice(off, off + d))), tf.tensor1d(shifts.slice(off, off + d))) as tf.Tensor2D
        assert.ok(value(barlowTwins(base, base, { eps: 0 })) < 1e-10)
        assert.ok(value(barlowTwins(base, base)) < 1e-8, 'default eps keeps the optimum within 1e-8')
        return value(barlowTwins(affine(0), affine(7), { eps: 0 })) < 1e-5
      }),
    ),
    RUNS,
  )
})

test('barlowTwins is non-negative and invariant to per-feature affine maps of either view (eps 0)', () => {
  fc.assert(
    fc.property(matrix(3, 8, 4), fc.array(positive, { minLength: 8, maxLength: 8 }), fc.array(entry, { minLength: 8, maxLength: 8 }), ({ n, d, a, b }, scales, shifts) =>
      tf.tidy(() => {
        const colVar = (xs: readonly number[]) =>
          Array.from({ length: d }, (_, j) => {
            const col = Array.from({ length: n }, (_, i) => xs[i * d + j]!)
            const m = col.reduce((s, x) => s + x, 0) / n
            return col.reduce((s, x) => s + (x - m) ** 2, 0) / n
          })
        fc.pre([...colVar(a), ...colVar(b)].every((v) => v > 0.05))
        const za = mat(a, n, d)
        const zb = mat(b, n, d)
        const base = value(barlowTwins(za, zb, { eps: 0 }))
        assert.ok(base >= 0)
        const mapped = tf.add(tf.mul(za, tf.tensor1d(scales.slice(0, d))), tf.tensor1d(shifts.slice(0, d))) as tf.Tensor2D
        const mappedB = tf.add(tf.mul(zb, tf.tensor1d(scales.slice(4, 4 + d))), tf.tensor1d(shifts.slice(4, 4 + d))) as tf.Tensor2D
        const after = value(barlowTwins(mapped, mappedB, { eps: 0 }))
        return Math.abs(after - base) <= 1e-3 * Math.max(1, base)
      }),
    ),
    RUNS,
  )
})

test('vicreg: variance term 0 when every std ≥ 1; terms non-negative; invariant to a common shift', () => {
  fc.assert(
    fc.property(matrix(2), fc.array(fc.float({ min: Math.fround(0), max: Math.fround(2), noNaN: true }), { minLength: 5, maxLength: 5 }), fc.array(entry, { minLength: 5, maxLength: 5 }), ({ n, d, a, b }, extra, shift) =>
      tf.tidy(() => {
        const stds = (xs: readonly number[]) =>
          Array.from({ length: d }, (_, j) => {
            const col = Array.from({ length: n }, (_, i) => xs[i * d + j]!)
            const m = col.reduce((s, x) => s + x, 0) / n
            return Math.sqrt(col.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1))
          })
        const sa = stds(a)
        const sb = stds(b)
        fc.pre([...sa, ...sb].every((s) => s > 1e-2))
        // rescale every feature to std 1 + extra ≥ 1
        const rescale = (xs: readonly number[], s: readonly number[]) => xs.map((x, k) => (x * (1 + extra[k % d]!)) / s[k % d]!)
        const wide = vicreg(mat(rescale(a, sa), n, d), mat(rescale(b, sb), n, d))
        assert.equal(value(wide.variance), 0)
        const za = mat(a, n, d)
        const zb = mat(b, n, d)
        const terms = vicreg(za, zb)
        for (const k of ['invariance', 'variance', 'covariance'] as const) assert.ok(value(terms[k]) >= 0, `${k} ${value(terms[k])}`)
        const t = tf.tensor1d(shift.slice(0, d))
        const shifted = vicreg(tf.add(za, t) as tf.Tensor2D, tf.add(zb, t) as tf.Tensor2D)
        return Math.abs(value(shifted.loss) - value(terms.loss)) <= 1e-4 * Math.max(1, value(terms.loss))
      }),
    ),
    RUNS,
  )
})

test('vicreg of identical decorrelated wide views is exactly 0 in every term', () => {
  const z = tf.tensor2d(hadamardColumns(5))
  const t = vicreg(z, z)
  assert.equal(value(t.invariance), 0)
  assert.equal(value(t.variance), 0)
  assert.ok(value(t.covariance) < 1e-12)
})

test('maeLoss ignores kept patches, is 0 at the (normalized) target, and normPix is invariant to per-patch affine maps', () => {
  fc.assert(
    fc.property(
      fc.record({ b: fc.integer({ min: 1, max: 3 }), l: fc.integer({ min: 1, max: 4 }), p: fc.integer({ min: 2, max: 6 }) }).chain(({ b, l, p }) =>
        fc.record({
          dims: fc.constant([b, l, p] as const),
          pred: fc.array(entry, { minLength: b * l * p, maxLength: b * l * p }),
          noise: fc.array(entry, { minLength: b * l * p, maxLength: b * l * p }),
          target: fc.array(entry, { minLength: b * l * p, maxLength: b * l * p }),
          mask: fc.array(fc.constantFrom(0, 1), { minLength: b * l, maxLength: b * l }),
          scale: positive,
          shift: entry,
        }),
      ),
      ({ dims, pred, noise, target, mask, scale, shift }) =>
        tf.tidy(() => {
          const [b, l, p] = dims
          fc.pre(mask.some((m) => m === 1))
          const y = tf.tensor3d(pred, [b, l, p])
          const t = tf.tensor3d(target, [b, l, p])
          const m = tf.tensor2d(mask, [b, l])
          const base = value(maeLoss(y, t, m))
          assert.ok(base >= 0)
          // changing the prediction on kept patches (mask 0) changes nothing
          const keep = tf.sub(1, m).reshape([b, l, 1])
          const perturbed = tf.add(y, tf.mul(tf.tensor3d(noise, [b, l, p]), keep)) as tf.Tensor3D
          assert.equal(value(maeLoss(perturbed, t, m)), base)
          // pred = target gives 0 without normPix
          assert.equal(value(maeLoss(t, t, m, { normPix: false })), 0)
          // normPix: an affine map of the target with a positive scale leaves the loss (nearly) unchanged
          const variances = Array.from({ length: b * l }, (_, k) => {
            const patch = target.slice(k * p, (k + 1) * p)
            const mean = patch.reduce((s, x) => s + x, 0) / p
            return patch.reduce((s, x) => s + (x - mean) ** 2, 0) / (p - 1)
          })
          fc.pre(variances.every((v) => v * Math.min(1, scale * scale) > 1e-2)) // so the 1e-6 floor moves either loss by < 1e-4 relative
          const mapped = tf.add(tf.mul(t, scale), shift) as tf.Tensor3D
          return Math.abs(value(maeLoss(y, mapped, m)) - base) <= 1e-3 * Math.max(1, base)
        }),
    ),
    RUNS,
  )
})

test('maeLoss with no masked patch is 0, not NaN', () => {
  assert.equal(value(maeLoss(tf.ones([1, 2, 4]) as tf.Tensor3D, tf.zeros([1, 2, 4]) as tf.Tensor3D, tf.zeros([1, 2]) as tf.Tensor2D)), 0)
})

test('unpatchify inverts patchify for any image that the patch size divides', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), (b, rows, cols, patch, c) =>
      tf.tidy(() => {
        const h = rows * patch
        const w = cols * patch
        const img = tf.range(0, b * h * w * c).reshape([b, h, w, c]) as tf.Tensor4D
        const patches = patchify(img, patch)
        assert.deepEqual(patches.shape, [b, rows * cols, patch * patch * c])
        // first patch of the first image, in (row, col, channel) order
        const first = patches.slice([0, 0, 0], [1, 1, -1]).dataSync()
        const expected: number[] = []
        for (let i = 0; i < patch; i++) for (let j = 0; j < patch; j++) for (let k = 0; k < c; k++) expected.push((i * w + j) * c + k)
        assert.deepEqual([...first], expected)
        return tf.equal(unpatchify(patches, patch, [h, w]), img).all().dataSync()[0] === 1
      }),
    ),
    RUNS,
  )
})

test('every energy rejects bad shapes with its name and the shapes', () => {
  const a = tf.zeros([4, 3]) as tf.Tensor2D
  const b = tf.zeros([4, 2]) as tf.Tensor2D
  assert.throws(() => smoothL1(a, b), /smoothL1: pred and target must have the same shape; got pred \[4, 3\] and target \[4, 2\]/)
  assert.throws(() => smoothL1(a, a, { beta: -1 }), /smoothL1: option beta must be a number >= 0; got -1/)
  assert.throws(() => l2(a, b), /l2: pred and target/)
  assert.throws(() => ntXent(a, b), /ntXent: za and zb must have the same shape \[N, D\]; got za \[4, 3\] and zb \[4, 2\]/)
  assert.throws(() => ntXent(a, a, { temperature: 0 }), /ntXent: option temperature must be a number > 0/)
  // a rank-3 tensor smuggled past the types on purpose, to reach the runtime rank check
  assert.throws(() => ntXent(tf.zeros([2, 2, 2]) as unknown as tf.Tensor2D, tf.zeros([2, 2, 2]) as unknown as tf.Tensor2D), /ntXent: za must have rank 2 \[N, D\]; got \[2, 2, 2\]/)
  assert.throws(() => vicreg(a, b), /vicreg: za and zb must have the same shape/)
  assert.throws(() => vicreg(tf.zeros([1, 3]) as tf.Tensor2D, tf.zeros([1, 3]) as tf.Tensor2D), /vicreg: za needs N >= 2 rows \(the unbiased variance divides by N − 1\); got \[1, 3\]/)
  assert.throws(() => barlowTwins(tf.zeros([1, 3]) as tf.Tensor2D, tf.zeros([1, 3]) as tf.Tensor2D), /barlowTwins: za needs N >= 2 rows/)
  assert.throws(() => barlowTwins(a, b), /barlowTwins: za and zb/)
  assert.throws(() => negativeCosine(a, b), /negativeCosine: p and z must have the same shape/)
  assert.throws(() => byolLoss(tf.zeros([0, 3]) as tf.Tensor2D, tf.zeros([0, 3]) as tf.Tensor2D), /byolLoss: p needs N >= 1 rows/)
  const p3 = tf.zeros([2, 4, 6]) as tf.Tensor3D
  assert.throws(() => maeLoss(p3, tf.zeros([2, 4, 5]) as tf.Tensor3D, tf.zeros([2, 4]) as tf.Tensor2D), /maeLoss: pred and target must have the same shape \[B, L, P\]/)
  assert.throws(() => maeLoss(p3, p3, tf.zeros([2, 3]) as tf.Tensor2D), /maeLoss: mask must have shape \[B, L\] = \[2, 4\] to match pred \[2, 4, 6\]; got mask \[2, 3\]/)
  assert.throws(() => maeLoss(tf.zeros([2, 4, 1]) as tf.Tensor3D, tf.zeros([2, 4, 1]) as tf.Tensor3D, tf.zeros([2, 4]) as tf.Tensor2D), /maeLoss: normPix needs at least 2 values per patch/)
  assert.throws(() => patchify(tf.zeros([1, 6, 8, 1]) as tf.Tensor4D, 4), /patchify: image height and width must be multiples of patch 4; got images \[1, 6, 8, 1\]/)
  assert.throws(() => patchify(tf.zeros([1, 8, 8, 1]) as tf.Tensor4D, 0), /patchify: patch size must be a positive integer; got 0/)
  assert.throws(() => unpatchify(tf.zeros([1, 3, 16]) as tf.Tensor3D, 4, [8, 8]), /unpatchify: expected \[B, 4, p·p·C\]/)
})
