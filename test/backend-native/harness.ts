/**
 * Test harness for the native backend: registers it once (the suite requires the addon to be
 * built — an unbuilt addon is a failure here, not a skip), runs one computation on `cpu` and on
 * `native` from the same plain-array inputs, and reports which kernels ran natively, so a law
 * cannot pass by silently falling back to the cpu kernel.
 */
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import { activeNativeBackend, registerNativeBackend } from '@jepa-ts/backend-native'

let ready: Promise<void> | undefined

export const setup = (): Promise<void> =>
  (ready ??= (async () => {
    tf.env().set('IS_TEST', true)
    const r = registerNativeBackend()
    assert.ok(r.ok, `native backend must register in tests: ${r.ok ? '' : r.reason}`)
    await tf.setBackend('cpu')
    await tf.setBackend('native')
  })())

export interface BothResult {
  readonly cpu: Float32Array[]
  readonly native: Float32Array[]
  readonly shapes: number[][]
  readonly nativeRuns: ReadonlyMap<string, number>
  readonly fallbacks: ReadonlyMap<string, number>
}

const flat = (r: tf.Tensor | tf.Tensor[]): tf.Tensor[] => (Array.isArray(r) ? r : [r])

/** Runs `f` on cpu and on native (inputs must be created inside `f`). */
export const onBoth = async (f: () => tf.Tensor | tf.Tensor[]): Promise<BothResult> => {
  await setup()
  await tf.setBackend('cpu')
  const cpuOut = tf.tidy(() => flat(f()).map((t) => tf.cast(t, 'float32')))
  const cpu = cpuOut.map((t) => Float32Array.from(t.dataSync()))
  const shapes = cpuOut.map((t) => t.shape)
  tf.dispose(cpuOut)
  await tf.setBackend('native')
  const b = activeNativeBackend()
  assert.ok(b !== undefined)
  b.resetStats()
  const natOut = tf.tidy(() => flat(f()))
  const nativeRuns = new Map(b.stats.native)
  const fallbacks = new Map(b.stats.fallback)
  const native = natOut.map((t) => Float32Array.from(t.dataSync()))
  natOut.forEach((t, i) => assert.deepEqual(t.shape, shapes[i], `output ${i} shape`))
  tf.dispose(natOut)
  return { cpu, native, shapes, nativeRuns, fallbacks }
}

/** |a − b| ≤ atol + rtol·|b| elementwise (NaN must match NaN, ±Inf must match). */
export const assertClose = (actual: Float32Array, expected: Float32Array, rtol: number, atol: number, what: string): void => {
  assert.equal(actual.length, expected.length, `${what}: length`)
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!
    const e = expected[i]!
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      assert.ok(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)), `${what}[${i}]: ${a} vs ${e}`)
      continue
    }
    assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${what}[${i}]: native ${a} vs cpu ${e}`)
  }
}

/** Asserts the kernel ran natively at least once and never fell back. */
export const assertNative = (r: BothResult, kernel: string): void => {
  assert.ok((r.nativeRuns.get(kernel) ?? 0) > 0, `${kernel} did not run natively (ran: ${[...r.nativeRuns.keys()].join(', ')})`)
  assert.equal(r.fallbacks.get(kernel) ?? 0, 0, `${kernel} fell back to cpu`)
}

/** Deterministic pseudo-random values in [-scale, scale) from a seed (fast-check picks the seed). */
export const values = (n: number, seed: number, scale = 2): Float32Array => {
  const out = new Float32Array(n)
  let s = (seed >>> 0) + 0x9e3779b9
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s ^ (s >>> 15), 0x85ebca6b) + 0x6b43a9b3) >>> 0
    s ^= s >>> 13
    out[i] = ((s >>> 8) / 0x1000000 - 0.5) * 2 * scale
  }
  return out
}

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

/** Value and gradients (w.r.t. every input) of sum(f(inputs) · w) for a fixed random w. */
export const withGrads = (f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: () => tf.Tensor[], seed: number): tf.Tensor[] => {
  const xs = inputs()
  const y = f(...xs)
  const w = tf.tensor(values(size(y.shape), seed + 99), y.shape)
  const gs = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), w)))(xs)
  return [y, ...gs]
}
