/**
 * Every native kernel agrees with the cpu kernel over random shapes and values (fast-check):
 * batched matmul in all transpose combinations with broadcast batch dims, size-1 and odd dims and
 * empty batches; broadcasting binary ops; unary math; transposes; reductions over any axes;
 * softmax; gather and unsorted segment sum; concat and slice. Each law also asserts the kernel
 * ran natively (no silent cpu fallback).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { assertClose, assertNative, onBoth, setup, size, values } from './harness.ts'

const RUNS = { numRuns: 25 }
const dim = fc.integer({ min: 1, max: 9 })
const shapeArb = (minRank: number, maxRank: number) => fc.array(dim, { minLength: minRank, maxLength: maxRank })

test('BatchMatMul: every transpose combination and broadcast batch agrees with cpu', async () => {
  await setup()
  await fc.assert(
    fc.asyncProperty(
      fc.record({ m: dim, n: dim, k: fc.integer({ min: 1, max: 40 }), ta: fc.boolean(), tb: fc.boolean(), batch: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }), bcastA: fc.boolean(), bcastB: fc.boolean(), seed: fc.nat() }),
      async ({ m, n, k, ta, tb, batch, bcastA, bcastB, seed }) => {
        const aBatch = batch.map((d) => (bcastA ? 1 : d))
        const bBatch = batch.map((d) => (bcastB && !bcastA ? 1 : d)).slice(bcastB ? 1 : 0)
        const aShape = [...aBatch, ...(ta ? [k, m] : [m, k])]
        const bShape = [...bBatch, ...(tb ? [n, k] : [k, n])]
        const av = values(size(aShape), seed)
        const bv = values(size(bShape), seed + 1)
        const r = await onBoth(() => tf.matMul(tf.tensor(av, aShape), tf.tensor(bv, bShape), ta, tb))
        if (size(r.shapes[0]!) === 0) {
          // Empty batch: the output is empty (the cpu kernel's buffer is not; only the shape counts).
          assert.equal(r.native[0]!.length, 0)
          return
        }
        assertClose(r.native[0]!, r.cpu[0]!, 1e-4, 1e-4 * k, 'matMul')
        assertNative(r, 'BatchMatMul')
      },
    ),
    RUNS,
  )
})

test('_FusedMatMul with bias and relu agrees with cpu', async () => {
  await setup()
  await fc.assert(
    fc.asyncProperty(fc.record({ m: dim, n: dim, k: dim, relu: fc.boolean(), rowBias: fc.boolean(), seed: fc.nat() }), async ({ m, n, k, relu, rowBias, seed }) => {
      const biasShape = rowBias ? [m, 1] : [n]
      const r = await onBoth(() =>
        tf.fused.matMul({ a: tf.tensor(values(m * k, seed), [m, k]), b: tf.tensor(values(k * n, seed + 1), [k, n]), bias: tf.tensor(values(size(biasShape), seed + 2), biasShape), activation: relu ? 'relu' : 'linear' }),
      )
      assertClose(r.native[0]!, r.cpu[0]!, 1e-4, 1e-4, 'fused matMul')
      assertNative(r, '_FusedMatMul')
    }),
    RUNS,
  )
})

const binaryOps: readonly [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, number][] = [
  ['Add', tf.add, 2],
  ['Sub', tf.sub, 2],
  ['Multiply', tf.mul, 2],
  ['RealDiv', tf.div, 2],
  ['Maximum', tf.maximum, 2],
  ['Minimum', tf.minimum, 2],
  ['SquaredDifference', tf.squaredDifference, 2],
  ['Pow', (a, b) => tf.pow(tf.abs(a), b), 2],
]

/** Two shapes that broadcast: b is a's (suffix) with some dims set to 1, or the other way round. */
const broadcastPair = fc.record({ shape: shapeArb(0, 4), ones: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), drop: fc.integer({ min: 0, max: 4 }), swap: fc.boolean() }).map(({ shape, ones, drop, swap }) => {
  const other = shape.slice(Math.min(drop, shape.length)).map((d, i) => (ones[i] ? 1 : d))
  return swap ? { a: other, b: shape } : { a: shape, b: other }
})

test('binary ops broadcast like the cpu kernels (size-1 dims, missing dims, scalars)', async () => {
  await setup()
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...binaryOps), broadcastPair, fc.nat(), fc.constantFrom(undefined, 2, 3, 0.5), async ([name, op], { a, b }, seed, exponent) => {
      const bv = name === 'Pow' && exponent !== undefined ? new Float32Array(size(b)).fill(exponent) : values(size(b), seed + 1)
      if (name === 'RealDiv') for (let i = 0; i < bv.length; i++) if (Math.abs(bv[i]!) < 0.1) bv[i] = 0.5
      const r = await onBoth(() => op(tf.tensor(values(size(a), seed), a), tf.tensor(bv, b)))
      assertClose(r.native[0]!, r.cpu[0]!, 2e-5, 1e-6, name)
      assertNative(r, name)
    }),
    { numRuns: 60 },
  )
})

const unaryOps: readonly [string, (x: tf.Tensor) => tf.Tensor, (v: Float32Array) => Float32Array][] = [
  ['Exp', tf.exp, (v) => v],
  ['Log', tf.log, (v) => v.map((x) => Math.abs(x) + 0.01)],
  ['Tanh', tf.tanh, (v) => v],
  ['Erf', tf.erf, (v) => v],
  ['Rsqrt', tf.rsqrt, (v) => v.map((x) => Math.abs(x) + 0.01)],
  ['Sqrt', tf.sqrt, (v) => v.map((x) => Math.abs(x))],
  ['Square', tf.square, (v) => v],
  ['Neg', tf.neg, (v) => v],
  ['Relu', tf.relu, (v) => v],
  ['Abs', tf.abs, (v) => v],
  ['Sigmoid', tf.sigmoid, (v) => v],
  ['Reciprocal', tf.reciprocal, (v) => v.map((x) => (Math.abs(x) < 0.1 ? 0.5 : x))],
  ['Log1p', tf.log1p, (v) => v.map((x) => Math.abs(x))],
  ['Sin', tf.sin, (v) => v],
  ['Cos', tf.cos, (v) => v],
  ['Relu6', tf.relu6, (v) => v.map((x) => x * 4)],
  ['Step', (x) => tf.step(x, 0.3), (v) => v],
  ['Sign', tf.sign, (v) => v],
  ['Floor', tf.floor, (v) => v],
  ['Ceil', tf.ceil, (v) => v],
  ['Round', tf.round, (v) => v.map((x) => Math.round(x * 4) / 4)],
  ['Softplus', tf.softplus, (v) => v],
  ['Elu', tf.elu, (v) => v],
  ['Selu', tf.selu, (v) => v],
  ['LeakyRelu', (x) => tf.leakyRelu(x, 0.1), (v) => v],
]

test('unary math agrees with the cpu kernels', async () => {
  await setup()
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...unaryOps), shapeArb(0, 3), fc.nat(), async ([name, op, domain], shape, seed) => {
      const v = domain(values(size(shape), seed, 3))
      const r = await onBoth(() => op(tf.tensor(v, shape)))
      assertClose(r.native[0]!, r.cpu[0]!, 1e-5, 1e-6, name)
      assertNative(r, name)
    }),
    { numRuns: 80 },
  )
})

test('transpose: any permutation agrees with cpu exactly', async () => {
  await setup()
  await fc.assert(
    fc.asyncProperty(
      shapeArb(1, 5).chain((shape) => fc.tuple(fc.constant(shape), fc.shuffledSubarray([...shape.keys()], { minLength: shape.length, maxLength: shape.length }), fc.nat())),
      async ([shape, perm, seed]) => {
        const r = await onBoth(() => tf.transpose(tf.tensor(values(size(shape), seed), shape), perm))
        assert.deepEqual(r.native[0], r.cpu[0])
        if (shape.length > 1) assertNative(r, 'Transpose') // tf.transpose clones rank ≤ 1 without a kernel
      },
    ),
    { numRuns: 60 },
  )
})

test('transpose of a large last-two swap (the tiled path) agrees with cpu exactly', async () => {
  const r = await onBoth(() => tf.transpose(tf.tensor(values(3 * 67 * 45, 5), [3, 67, 45]), [0, 2, 1]))
  assert.deepEqual(r.native[0], r.cpu[0])
  assertNative(r, 'Transpose')
})

const reductions: readonly [string, (x: tf.Tensor, axes: number[], keep: boolean) => tf.Tensor][] = [
  ['Sum', (x, a, k) => tf.sum(x, a, k)],
  ['Mean', (x, a, k) => tf.mean(x, a, k)],
  ['Max', (x, a, k) => tf.max(x, a, k)],
  ['Min', (x, a, k) => tf.min(x, a, k)],
  ['Prod', (x, a, k) => tf.prod(x, a, k)],
]

test('reductions over any axes (contiguous or scattered, keepDims) agree with cpu', async () => {
  await setup()
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...reductions),
      shapeArb(1, 4).chain((shape) => fc.tuple(fc.constant(shape), fc.subarray([...shape.keys()], { minLength: 1 }), fc.boolean(), fc.nat())),
      async ([name, op], [shape, axes, keep, seed]) => {
        const scale = name === 'Prod' ? 1.2 : 2
        const r = await onBoth(() => op(tf.tensor(values(size(shape), seed, scale), shape), axes, keep))
        assertClose(r.native[0]!, r.cpu[0]!, 1e-4, 1e-5, `${name} over [${axes}] of [${shape}]`)
        assertNative(r, name)
      },
    ),
    { numRuns: 80 },
  )
})

test('softmax over the last axis agrees with cpu', async () => {
  await setup()
  await fc.assert(
    fc.asyncProperty(shapeArb(1, 4), fc.nat(), async (shape, seed) => {
      const r = await onBoth(() => tf.softmax(tf.tensor(values(size(shape), seed, 8), shape)))
      assertClose(r.native[0]!, r.cpu[0]!, 1e-5, 1e-7, 'softmax')
      assertNative(r, 'Softmax')
    }),
    RUNS,
  )
})

test('gather along any axis and its gradient (unsorted segment sum) agree with cpu', async () => {
  await setup()
  await fc.assert(
    fc.asyncProperty(
      shapeArb(1, 4).chain((shape) =>
        fc.tuple(fc.constant(shape), fc.integer({ min: 0, max: shape.length - 1 }), fc.array(fc.nat(), { maxLength: 7 }), fc.nat()),
      ),
      async ([shape, axis, raw, seed]) => {
        const idx = Int32Array.from(raw.map((i) => i % shape[axis]!))
        const r = await onBoth(() => tf.gather(tf.tensor(values(size(shape), seed), shape), tf.tensor1d(idx, 'int32'), axis))
        assert.deepEqual(r.native[0], r.cpu[0])
        assertNative(r, 'GatherV2')
        const n = shape[0]!
        const segs = fc.sample(fc.integer({ min: -1, max: 4 }), { numRuns: n, seed })
        const g = await onBoth(() => tf.unsortedSegmentSum(tf.tensor(values(size(shape), seed + 3), shape), tf.tensor1d(segs, 'int32'), 4))
        assertClose(g.native[0]!, g.cpu[0]!, 1e-5, 1e-6, 'unsortedSegmentSum')
        assertNative(g, 'UnsortedSegmentSum')
      },
    ),
    RUNS,
  )
})

test('gather rejects an out-of-range index, naming it', async () => {
  await setup()
  await tf.setBackend('native')
  assert.throws(() => tf.gather(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor1d([0, 2], 'int32')).dataSync(), /index value 2 is not in \[0, 1\]/)
})

test('concat and slice agree with cpu exactly', async () => {
  await setup()
  await fc.assert(
    fc.asyncProperty(
      shapeArb(1, 4).chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.integer({ min: 0, max: shape.length - 1 }),
          fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 }),
          fc.tuple(...shape.map((d) => fc.integer({ min: 0, max: d - 1 }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 0, max: d - b }))))),
          fc.nat(),
        ),
      ),
      async ([shape, axis, extra, box, seed]) => {
        const parts = extra.map((e, i) => shape.map((d, j) => (j === axis ? e : d))).map((s, i) => ({ s, v: values(size(s), seed + i) }))
        const c = await onBoth(() => tf.concat(parts.map((p) => tf.tensor(p.v, p.s)), axis))
        assert.deepEqual(c.native[0], c.cpu[0])
        if (parts.length > 1) assertNative(c, 'Concat')
        const begin = box.map(([b]) => b)
        const len = box.map(([, l]) => l)
        const s = await onBoth(() => tf.slice(tf.tensor(values(size(shape), seed), shape), begin, len))
        assert.deepEqual(s.native[0], s.cpu[0])
        assertNative(s, 'Slice')
      },
    ),
    { numRuns: 40 },
  )
})

test('AddN agrees with cpu', async () => {
  const r = await onBoth(() => tf.addN([1, 2, 3].map((s) => tf.tensor(values(30, s), [5, 6]))))
  assertClose(r.native[0]!, r.cpu[0]!, 1e-6, 1e-6, 'addN')
  assertNative(r, 'AddN')
})

test('large tensors (the multi-threaded paths) agree with cpu', async () => {
  await setup()
  await fc.assert(
    fc.asyncProperty(fc.constantFrom<number[]>([3, 131, 300], [131, 7, 64], [257, 1, 300], [1, 128, 257], [64, 300, 3]), fc.nat(), async (shape, seed) => {
      const c = shape[2]!
      const x = values(size(shape), seed)
      const add = await onBoth(() => tf.add(tf.tensor(x, shape), tf.tensor(values(c, seed + 1), [c])))
      assertClose(add.native[0]!, add.cpu[0]!, 1e-6, 1e-6, 'add')
      const un = await onBoth(() => tf.tanh(tf.tensor(x, shape)))
      assertClose(un.native[0]!, un.cpu[0]!, 1e-5, 1e-6, 'tanh')
      for (const axes of [[0], [1], [2], [0, 2]]) {
        const red = await onBoth(() => tf.sum(tf.tensor(x, shape), axes))
        // float32 accumulation (as PyTorch) vs the cpu kernel's float64: allow n·ε-sized drift.
        const n = axes.reduce((p, a) => p * shape[a]!, 1)
        assertClose(red.native[0]!, red.cpu[0]!, 1e-5, 2e-7 * n, `sum over ${axes}`)
      }
      const sm = await onBoth(() => tf.softmax(tf.tensor(x, shape)))
      assertClose(sm.native[0]!, sm.cpu[0]!, 1e-5, 1e-7, 'softmax')
      const tr = await onBoth(() => tf.transpose(tf.tensor(x, shape), [2, 0, 1]))
      assert.deepEqual(tr.native[0], tr.cpu[0])
      const mm = await onBoth(() => tf.matMul(tf.tensor(x, shape), tf.tensor(values(c * 5, seed + 2), [5, c]), false, true))
      assertClose(mm.native[0]!, mm.cpu[0]!, 1e-4, 1e-3, 'matMul')
      for (const r of [add, un, sm, tr, mm]) assert.equal(r.fallbacks.size, 0, `fell back: ${[...r.fallbacks.keys()]}`)
    }),
    { numRuns: 6 },
  )
})

test('empty tensors: binary, unary, transpose, softmax, concat and reductions over a non-empty axis give empty results like cpu', async () => {
  await setup()
  const cases: readonly [string, () => tf.Tensor][] = [
    ['add', () => tf.add(tf.zeros([0, 3]), tf.ones([1, 3]))],
    ['exp', () => tf.exp(tf.zeros([2, 0]))],
    ['transpose', () => tf.transpose(tf.zeros([0, 2, 3]), [2, 0, 1])],
    ['softmax', () => tf.softmax(tf.zeros([0, 4]))],
    ['concat', () => tf.concat([tf.zeros([0, 2]), tf.zeros([0, 2])], 0)],
    ['sum', () => tf.sum(tf.zeros([0, 5]), 1)],
    ['matMul', () => tf.matMul(tf.zeros([0, 3]), tf.ones([3, 4]))],
  ]
  for (const [name, f] of cases) {
    const r = await onBoth(f)
    assert.equal(r.native[0]!.length, 0, name)
    assert.equal(size(r.shapes[0]!), 0, name)
  }
})

test('splitV, padV2, tile and pack agree with cpu exactly', async () => {
  await setup()
  await fc.assert(
    fc.asyncProperty(
      shapeArb(1, 4).chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.integer({ min: -shape.length, max: shape.length - 1 }),
          fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
          fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), { minLength: shape.length, maxLength: shape.length }),
          fc.array(fc.integer({ min: 0, max: 3 }), { minLength: shape.length, maxLength: shape.length }),
          fc.integer({ min: 1, max: 3 }),
          fc.nat(),
        ),
      ),
      async ([shape, axis, pieces, pads, reps, n, seed]) => {
        const a = axis < 0 ? axis + shape.length : axis
        // Split sizes summing to the axis: the pieces, then the remainder through -1.
        const whole = pieces.reduce((s, p) => s + p, 0)
        const xShape = shape.map((d, i) => (i === a ? whole + d : d))
        const x = values(size(xShape), seed)
        const sp = await onBoth(() => tf.split(tf.tensor(x, xShape), [...pieces, -1], axis))
        sp.native.forEach((v, i) => assert.deepEqual(v, sp.cpu[i], `split piece ${i}`))
        assertNative(sp, 'SplitV')
        const pd = await onBoth(() => tf.pad(tf.tensor(x, xShape), pads, seed % 3))
        assert.deepEqual(pd.native[0], pd.cpu[0])
        assertNative(pd, 'PadV2')
        const tl = await onBoth(() => tf.tile(tf.tensor(x, xShape), reps))
        assert.deepEqual(tl.native[0], tl.cpu[0])
        assertNative(tl, 'Tile')
        const pk = await onBoth(() => tf.stack(Array.from({ length: n }, (_, j) => tf.tensor(values(size(xShape), seed + j), xShape)), axis < 0 ? axis : a + (seed % 2)))
        assert.deepEqual(pk.native[0], pk.cpu[0])
        assertNative(pk, 'Pack')
      },
    ),
    { numRuns: 40 },
  )
})

test('split evenly by a count agrees with cpu', async () => {
  const r = await onBoth(() => tf.split(tf.tensor(values(60, 3), [3, 4, 5]), 2, 1))
  r.native.forEach((v, i) => assert.deepEqual(v, r.cpu[i], `piece ${i}`))
  assertNative(r, 'SplitV')
})
