/**
 * The native fuzz, run in its own process by fuzz.test.ts (a crash kills this process, not the
 * test runner). fast-check draws, for every function of the addon, a valid call (random shapes,
 * zero sizes included) and checks its outputs against tfjs's cpu backend (the cpu kernel, or the
 * composite ops the fused kernels replace, and their gradients); then it corrupts one argument of a
 * valid call whose sizes are all ≥ 1 (a typed array one element short or long or of the wrong
 * element type, a size that is negative, fractional, NaN, infinite, huge or not a number, a shape
 * with a bad entry or an extra one, an op code out of range, arguments missing) and checks the
 * addon throws a JS Error. Prints one JSON line: per function, calls compared and calls rejected.
 * `FUZZ_RUNS` sets the number of draws per function and property (default 60); `FUZZ_ADDON_DIR`
 * fuzzes the addon built under another package directory instead of this one.
 */
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { loadAddon, loadAddonAt, type NativeAddon } from '@jepa-ts/backend-native'
import { adamwUpdate, emaUpdate, attention as fusedAttention, gelu as fusedGelu, layerNorm as fusedLayerNorm } from '@jepa-ts/ops'

type Kind = 'out' | 'in' | 'idx' | 'size' | 'sizes' | 'op' | 'real' | 'bool'

/** A call of one addon function: its arguments, what each is, and the cpu results for its outputs. */
interface Call {
  readonly fn: keyof NativeAddon
  readonly args: unknown[]
  readonly kinds: readonly Kind[]
  /** Positions of the output arrays, in the order of `expected`'s results. */
  readonly outputs: readonly number[]
  readonly expected: () => Float32Array[]
  readonly rtol?: number
  readonly atol?: number
}

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 60)
// FUZZ_ADDON_DIR: fuzz the addon built under another package directory (e.g. an older build).
const otherDir = process.env['FUZZ_ADDON_DIR']
const loaded = otherDir === undefined ? loadAddon() : loadAddonAt(otherDir)
if (!loaded.ok) throw new Error(`the addon must load for the fuzz: ${loaded.reason}`)
const addon = loaded.addon
await tf.setBackend('cpu')

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1)
const fill = (n: number, seed: number, lo = -2, hi = 2): Float32Array => {
  const out = new Float32Array(n)
  let x = (seed * 2654435761 + 12345) >>> 0
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0
    out[i] = lo + ((x >>> 8) / 16777216) * (hi - lo)
  }
  return out
}
const strides = (s: readonly number[]): number[] => {
  const out = new Array<number>(s.length).fill(1)
  for (let d = s.length - 2; d >= 0; d--) out[d] = out[d + 1]! * s[d + 1]!
  return out
}
const cpu = (f: () => tf.Tensor | tf.Tensor[]): Float32Array[] =>
  tf.tidy(() => [f()].flat().map((t) => Float32Array.from(tf.cast(t, 'float32').dataSync())))

const close = (actual: Float32Array, expected: Float32Array, rtol: number, atol: number, what: string): void => {
  assert.equal(actual.length, expected.length, `${what}: length`)
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!
    const e = expected[i]!
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      assert.ok(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)), `${what}[${i}]: native ${a} vs cpu ${e}`)
      continue
    }
    assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${what}[${i}]: native ${a} vs cpu ${e}`)
  }
}

// ---- one valid call per addon function, sizes drawn from [min, max]

const calls = (min: number): Record<string, fc.Arbitrary<Call>> => {
  const dim = fc.integer({ min, max: 5 })
  const shape = (lo: number, hi: number) => fc.array(dim, { minLength: lo, maxLength: hi })
  return {
    // Batch dims and k ≥ 1: tfjs's cpu matMul mis-sizes its output when a batch dim is 0 against a 1,
    // or k is 0 under a broadcast batch (m and n may still be 0).
    matMul: fc.record({ batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), bcast: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 2, maxLength: 2 }), m: dim, n: dim, k: fc.integer({ min: 1, max: 5 }), ta: fc.boolean(), tb: fc.boolean(), seed: fc.nat() }).map(({ batch, bcast, m, n, k, ta, tb, seed }): Call => {
      // tfjs broadcasts a whole batch of 1s only (it flattens the batch dims), so one side or none.
      const ab = batch.map((d) => (bcast[0] === 1 ? 1 : d))
      const bb = batch.map((d) => (bcast[1] === 1 && bcast[0] !== 1 ? 1 : d))
      const ob = batch.map((d, i) => (ab[i] === 1 && bb[i] === 1 ? 1 : d))
      const aShape = [...ab, ...(ta ? [k, m] : [m, k])]
      const bShape = [...bb, ...(tb ? [n, k] : [k, n])]
      const a = fill(prod(aShape), seed)
      const b = fill(prod(bShape), seed + 1)
      return {
        fn: 'matMul', args: [new Float32Array(prod(ob) * m * n), a, b, ob, ab, bb, m, n, k, ta, tb],
        kinds: ['out', 'in', 'in', 'sizes', 'sizes', 'sizes', 'size', 'size', 'size', 'bool', 'bool'], outputs: [0],
        expected: () => cpu(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), ta, tb)),
      }
    }),
    binary: fc.record({ s: shape(0, 4), maskA: fc.nat(), maskB: fc.nat(), op: fc.integer({ min: 0, max: 9 }), seed: fc.nat() }).map(({ s, maskA, maskB, op, seed }): Call => {
      const aShape = s.map((d, i) => ((maskA >> i) & 1 ? 1 : d))
      const bShape = s.map((d, i) => ((maskB >> i) & 1 ? 1 : d))
      const st = (sh: number[]) => strides(sh).map((x, i) => (sh[i] === 1 && s[i] !== 1 ? 0 : x))
      const a = fill(prod(aShape), seed)
      const b = fill(prod(bShape), seed + 1)
      const ops = [tf.add, tf.sub, tf.mul, tf.div, tf.maximum, tf.minimum, tf.squaredDifference, tf.pow, (x: tf.Tensor, y: tf.Tensor) => tf.where(tf.less(x, 0), tf.mul(x, y), tf.add(x, tf.zerosLike(y))), tf.atan2]
      return {
        fn: 'binary', args: [op, new Float32Array(prod(s)), a, b, s, st(aShape), st(bShape)],
        kinds: ['op', 'out', 'in', 'in', 'sizes', 'sizes', 'sizes'], outputs: [1], rtol: 1e-5,
        // tfjs broadcasts a 1 against a 0 to 1: an empty output is only checked for its length.
        expected: () => (prod(s) === 0 ? [new Float32Array(0)] : cpu(() => tf.broadcastTo(ops[op]!(tf.tensor(a, aShape), tf.tensor(b, bShape)), s))),
      }
    }),
    unary: fc.record({ n: fc.integer({ min, max: 40 }), op: fc.integer({ min: 0, max: 27 }), alpha: fc.double({ min: -1, max: 1, noNaN: true }), seed: fc.nat() }).map(({ n, op, alpha, seed }): Call => {
      const a = fill(n, seed, -4, 4)
      const f: ((x: tf.Tensor) => tf.Tensor)[] = [
        tf.exp, tf.log, tf.tanh, tf.erf, tf.rsqrt, tf.sqrt, tf.square, tf.neg, tf.relu, tf.abs, tf.sigmoid, tf.reciprocal,
        tf.log1p, tf.expm1, tf.sin, tf.cos, tf.relu6, (x) => tf.step(x, Math.fround(alpha)), tf.sign, tf.floor, tf.ceil, tf.round,
        tf.softplus, tf.elu, tf.selu, (x) => tf.leakyRelu(x, Math.fround(alpha)), tf.isNaN, (x) => x,
      ]
      return {
        fn: 'unary', args: [op, new Float32Array(n), a, alpha], kinds: ['op', 'out', 'in', 'real'], outputs: [1], rtol: 1e-4,
        expected: () => cpu(() => f[op]!(tf.tensor(a))),
      }
    }),
    transpose: fc.record({ s: shape(1, 4), key: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }), seed: fc.nat() }).map(({ s, key, seed }): Call => {
      const perm = s.map((_, i) => i).sort((x, y) => key[x]! - key[y]! || x - y)
      const a = fill(prod(s), seed)
      return {
        fn: 'transpose', args: [new Float32Array(prod(s)), a, s, perm], kinds: ['out', 'in', 'sizes', 'sizes'], outputs: [0],
        expected: () => cpu(() => tf.transpose(tf.tensor(a, s), perm)),
      }
    }),
    reduce: fc.record({ outer: dim, red: dim, inner: dim, op: fc.integer({ min: 0, max: 4 }), seed: fc.nat() }).map(({ outer, red, inner, op, seed }): Call => {
      const a = fill(outer * red * inner, seed)
      const f = [tf.sum, tf.mean, tf.max, tf.min, tf.prod]
      return {
        fn: 'reduce', args: [op, new Float32Array(outer * inner), a, outer, red, inner], kinds: ['op', 'out', 'in', 'size', 'size', 'size'], outputs: [1], rtol: 1e-5,
        expected: () => (red === 0 && op >= 2 ? [new Float32Array(outer * inner).fill(op === 2 ? -Infinity : op === 3 ? Infinity : 1)] : cpu(() => f[op]!(tf.tensor(a, [outer, red, inner]), 1))),
      }
    }),
    softmax: fc.record({ rows: dim, cols: fc.integer({ min: 1, max: 9 }), log: fc.boolean(), seed: fc.nat() }).map(({ rows, cols, log, seed }): Call => {
      const a = fill(rows * cols, seed, -5, 5)
      return {
        fn: 'softmax', args: [new Float32Array(rows * cols), a, cols, log], kinds: ['out', 'in', 'size', 'bool'], outputs: [0], rtol: 1e-5,
        expected: () => cpu(() => (log ? tf.logSoftmax : tf.softmax)(tf.tensor(a, [rows, cols]))),
      }
    }),
    gather: fc.record({ outer: dim, axisDim: fc.integer({ min: 1, max: 5 }), inner: dim, idx: fc.array(fc.nat(), { maxLength: 6 }), seed: fc.nat() }).map(({ outer, axisDim, inner, idx, seed }): Call => {
      const ids = Int32Array.from(idx.length < min ? [0] : idx, (i) => i % axisDim)
      const x = fill(outer * axisDim * inner, seed)
      return {
        fn: 'gather', args: [new Float32Array(outer * ids.length * inner), x, ids, outer, axisDim, inner], kinds: ['out', 'in', 'idx', 'size', 'size', 'size'], outputs: [0],
        expected: () => cpu(() => tf.gather(tf.tensor(x, [outer, axisDim, inner]), tf.tensor1d(ids, 'int32'), 1)),
      }
    }),
    unsortedSegmentSum: fc.record({ n: dim, inner: dim, segs: fc.integer({ min: 1, max: 5 }), seed: fc.nat() }).map(({ n, inner, segs, seed }): Call => {
      const ids = Int32Array.from({ length: n }, (_, i) => (seed + i * 7) % segs)
      const x = fill(n * inner, seed)
      return {
        fn: 'unsortedSegmentSum', args: [new Float32Array(segs * inner), x, ids, inner, segs], kinds: ['out', 'in', 'idx', 'size', 'size'], outputs: [0], rtol: 1e-5,
        expected: () => cpu(() => tf.unsortedSegmentSum(tf.tensor(x, [n, inner]), tf.tensor1d(ids, 'int32'), segs)),
      }
    }),
    slice: fc.record({ s: shape(1, 4), f: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 4, maxLength: 4 }), seed: fc.nat() }).map(({ s, f, seed }): Call => {
      const begin = s.map((d, i) => Math.min(d - min, Math.floor(f[i]![0] * d)))
      const size = s.map((d, i) => Math.max(min, Math.floor(f[i]![1] * (d - begin[i]!))))
      const a = fill(prod(s), seed)
      return {
        fn: 'slice', args: [new Float32Array(prod(size)), a, s, begin, size], kinds: ['out', 'in', 'sizes', 'sizes', 'sizes'], outputs: [0],
        expected: () => cpu(() => tf.slice(tf.tensor(a, s), begin, size)),
      }
    }),
    layerNorm: fc.record({ rows: dim, d: fc.integer({ min: 1, max: 9 }), seed: fc.nat() }).map(({ rows, d, seed }): Call => {
      const x = fill(rows * d, seed)
      const g = fill(d, seed + 1)
      const b = fill(d, seed + 2)
      return {
        fn: 'layerNorm', args: [new Float32Array(rows * d), x, g, b, 1e-5], kinds: ['out', 'in', 'in', 'in', 'real'], outputs: [0], rtol: 1e-4,
        expected: () => cpu(() => fusedLayerNorm(tf.tensor(x, [rows, d]), tf.tensor(g), tf.tensor(b), 1e-5)),
      }
    }),
    layerNormGrad: fc.record({ rows: dim, d: fc.integer({ min: 1, max: 9 }), seed: fc.nat() }).map(({ rows, d, seed }): Call => {
      const x = fill(rows * d, seed)
      const g = fill(d, seed + 1)
      const dy = fill(rows * d, seed + 2)
      return {
        fn: 'layerNormGrad', args: [new Float32Array(rows * d), new Float32Array(d), new Float32Array(d), dy, x, g, 1e-5], kinds: ['out', 'out', 'out', 'in', 'in', 'in', 'real'], outputs: [0, 1, 2], rtol: 1e-3, atol: 1e-4, // d = 1: dx is 0 up to rounding × 1/√eps
        expected: () => cpu(() => tf.grads((xt: tf.Tensor, gt: tf.Tensor, bt: tf.Tensor) => tf.sum(tf.mul(fusedLayerNorm(xt, gt, bt, 1e-5), tf.tensor(dy, [rows, d]))))([tf.tensor(x, [rows, d]), tf.tensor(g), tf.zeros([d])])),
      }
    }),
    gelu: fc.record({ n: fc.integer({ min, max: 40 }), seed: fc.nat() }).map(({ n, seed }): Call => {
      const x = fill(n, seed, -4, 4)
      return { fn: 'gelu', args: [new Float32Array(n), x], kinds: ['out', 'in'], outputs: [0], rtol: 1e-4, expected: () => cpu(() => fusedGelu(tf.tensor(x))) }
    }),
    geluGrad: fc.record({ n: fc.integer({ min, max: 40 }), seed: fc.nat() }).map(({ n, seed }): Call => {
      const x = fill(n, seed, -4, 4)
      const dy = fill(n, seed + 1)
      return {
        fn: 'geluGrad', args: [new Float32Array(n), dy, x], kinds: ['out', 'in', 'in'], outputs: [0], rtol: 1e-3,
        expected: () => cpu(() => tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(fusedGelu(xt), tf.tensor(dy))))(tf.tensor(x))),
      }
    }),
    attention: fc.record({ bh: dim, nq: dim, nk: fc.integer({ min: 1, max: 5 }), dh: dim, seed: fc.nat() }).map(({ bh, nq, nk, dh, seed }): Call => {
      const q = fill(bh * nq * dh, seed)
      const k = fill(bh * nk * dh, seed + 1)
      const v = fill(bh * nk * dh, seed + 2)
      const scale = 1 / Math.sqrt(Math.max(dh, 1))
      return {
        fn: 'attention', args: [new Float32Array(bh * nq * dh), q, k, v, bh, nq, nk, dh, scale], kinds: ['out', 'in', 'in', 'in', 'size', 'size', 'size', 'size', 'real'], outputs: [0], rtol: 1e-4,
        expected: () => cpu(() => fusedAttention(tf.tensor(q, [1, bh, nq, dh]), tf.tensor(k, [1, bh, nk, dh]), tf.tensor(v, [1, bh, nk, dh]), scale)),
      }
    }),
    attentionGrad: fc.record({ bh: dim, nq: dim, nk: fc.integer({ min: 1, max: 5 }), dh: dim, seed: fc.nat() }).map(({ bh, nq, nk, dh, seed }): Call => {
      const q = fill(bh * nq * dh, seed)
      const k = fill(bh * nk * dh, seed + 1)
      const v = fill(bh * nk * dh, seed + 2)
      const dout = fill(bh * nq * dh, seed + 3)
      const scale = 1 / Math.sqrt(Math.max(dh, 1))
      const n = (x: number) => new Float32Array(x)
      return {
        fn: 'attentionGrad', args: [n(q.length), n(k.length), n(v.length), dout, q, k, v, bh, nq, nk, dh, scale],
        kinds: ['out', 'out', 'out', 'in', 'in', 'in', 'in', 'size', 'size', 'size', 'size', 'real'], outputs: [0, 1, 2], rtol: 1e-3,
        expected: () => cpu(() => tf.grads((qt: tf.Tensor, kt: tf.Tensor, vt: tf.Tensor) => tf.sum(tf.mul(fusedAttention(qt, kt, vt, scale), tf.tensor(dout, [1, bh, nq, dh]))))([tf.tensor(q, [1, bh, nq, dh]), tf.tensor(k, [1, bh, nk, dh]), tf.tensor(v, [1, bh, nk, dh])])),
      }
    }),
    adamw: fc.record({ n: fc.integer({ min, max: 40 }), step: fc.integer({ min: 1, max: 5 }), seed: fc.nat() }).map(({ n, step, seed }): Call => {
      const [p, g, m] = [0, 1, 2].map((i) => fill(n, seed + i)) as [Float32Array, Float32Array, Float32Array]
      const v = fill(n, seed + 3, 0, 1)
      const hp = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05, step }
      const o = () => new Float32Array(n)
      return {
        fn: 'adamw', args: [o(), o(), o(), p, g, m, v, hp.lr, hp.beta1, hp.beta2, hp.eps, hp.weightDecay, 1 - hp.beta1 ** step, 1 - hp.beta2 ** step],
        kinds: ['out', 'out', 'out', 'in', 'in', 'in', 'in', 'real', 'real', 'real', 'real', 'real', 'real', 'real'], outputs: [0, 1, 2], rtol: 1e-4,
        expected: () => cpu(() => { const r = adamwUpdate(tf.tensor(p), tf.tensor(g), tf.tensor(m), tf.tensor(v), hp); return [r.p, r.m, r.v] }),
      }
    }),
    ema: fc.record({ n: fc.integer({ min, max: 40 }), momentum: fc.double({ min: 0, max: 1, noNaN: true }), seed: fc.nat() }).map(({ n, momentum, seed }): Call => {
      const t = fill(n, seed)
      const o = fill(n, seed + 1)
      return {
        fn: 'ema', args: [new Float32Array(n), t, o, momentum], kinds: ['out', 'in', 'in', 'real'], outputs: [0], rtol: 1e-5,
        expected: () => cpu(() => emaUpdate(tf.tensor(t), tf.tensor(o), Math.fround(momentum))),
      }
    }),
  }
}

// ---- corruption of one argument of a valid call (all sizes ≥ 1), always invalid

const BAD_SIZES: readonly unknown[] = [-1, -(2 ** 40), 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 1e300, '3', undefined, null, {}]

const corrupt = (call: Call, which: number, how: number): unknown[] | undefined => {
  const args = [...call.args]
  const i = which % args.length
  const kind = call.kinds[i]!
  const arr = args[i]
  switch (kind) {
    case 'out':
    case 'in':
    case 'idx': {
      const t = arr as Float32Array | Int32Array
      const variants: unknown[] = [
        t.subarray(0, t.length - 1),
        kind === 'in' ? new Float64Array(t.length) : kind === 'idx' ? new Float32Array(t.length) : new Int32Array(t.length),
        Array.from(t), t.length, undefined, new Uint8Array(t.buffer),
      ]
      if (kind === 'out' || kind === 'idx') variants.push(kind === 'out' ? new Float32Array(t.length + 1) : new Int32Array(t.length + 1))
      args[i] = variants[how % variants.length]
      return args
    }
    case 'size':
      args[i] = BAD_SIZES[how % BAD_SIZES.length]
      return args
    case 'op':
      args[i] = [-1, 1000, 0.5, Number.NaN, 'add'][how % 5]
      return args
    case 'sizes': {
      const s = [...(arr as number[])]
      const variants: unknown[] = [[...s, 1], 'shape', undefined]
      if (s.length > 0) variants.push(...BAD_SIZES.map((b) => s.map((x, j) => (j === how % s.length ? b : x))))
      args[i] = variants[how % variants.length]
      return args
    }
    case 'real':
    case 'bool': {
      // Drop arguments from the first non-boolean one on: a missing required argument.
      const firstRequired = call.kinds.findIndex((k, j) => j >= i && k !== 'bool')
      return firstRequired < 0 ? undefined : args.slice(0, firstRequired)
    }
  }
}

const invoke = (fn: keyof NativeAddon, args: unknown[]): unknown => Reflect.apply(Reflect.get(addon, fn) as (...a: unknown[]) => unknown, addon, args)

const stats: Record<string, { compared: number; rejected: number }> = {}
const valid = calls(0)
const nonEmpty = calls(1)
for (const fn of Object.keys(valid)) {
  stats[fn] = { compared: 0, rejected: 0 }
  const s = stats[fn]!
  fc.assert(
    fc.property(valid[fn]!, (call) => {
      const r = invoke(call.fn, call.args)
      if (call.fn === 'gather') assert.equal(r, -1, 'gather: every index is in range')
      const expected = call.expected()
      call.outputs.forEach((pos, j) => close(call.args[pos] as Float32Array, expected[j]!, call.rtol ?? 1e-6, call.atol ?? 1e-5, `${fn} output ${j}`))
      s.compared++
    }),
    { numRuns: RUNS, seed: 18 },
  )
  fc.assert(
    fc.property(nonEmpty[fn]!, fc.nat(), fc.nat(), (call, which, how) => {
      const args = corrupt(call, which, how)
      if (args === undefined) return
      assert.throws(() => invoke(call.fn, args), (e: unknown) => e instanceof Error, `${fn}: argument ${which % call.args.length} corrupted (${how}) must throw`)
      s.rejected++
    }),
    { numRuns: RUNS * 2, seed: 18 },
  )
}
assert.equal(Object.keys(stats).length, Object.keys(valid).length)
console.log(JSON.stringify(stats))
