/**
 * The op layer's dispatch and its one gradient per op:
 * - without a kernel for its name on the active backend (cpu here) an op runs its composite and no
 *   `Jepa*` kernel appears in the profile; with one (native) the kernel runs — the op never asks
 *   which backend is active, only whether the kernel exists (a non-float32 input takes the composite);
 * - the linear op's kernel and its registered gradient agree with the composite on cpu;
 * - where a backend registers a forward kernel but not its backward kernel, the registered gradient
 *   falls back to the composite backward formulas (layer norm, GELU, attention), which agree with
 *   tfjs's autodiff of the composite on cpu — the path a new backend (webgpu) takes first;
 * - AdamW's host form (float64, in place) and tensor form are one definition: same results.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { OP_KERNELS, adamwHostState, adamwUpdate, adamwUpdateInPlace, attention, gelu, hasKernel, layerNorm, linear } from '@jepa-ts/ops'
import { assertClose, assertNative, onBoth, setup, size, values, withGrads } from '../backend-native/harness.ts'

const kernelsOf = async (f: () => tf.TensorContainer): Promise<Set<string>> => new Set((await tf.profile(() => tf.tidy(f))).kernels.map((k) => k.name))

test('dispatch: composites on cpu (no op kernel runs); the kernels on native; an int32 input takes the composite', async () => {
  await setup()
  const run = (): tf.Tensor[] => {
    const x = tf.randomNormal([4, 6], 0, 1, 'float32', 1)
    const q = tf.randomNormal([1, 2, 3, 6], 0, 1, 'float32', 2)
    return [layerNorm(x, tf.ones([6]), tf.zeros([6])), gelu(x), attention(q, q, q), linear(x, tf.ones([5, 6]), tf.zeros([5]))]
  }
  await tf.setBackend('cpu')
  assert.equal(hasKernel('JepaGelu', tf.zeros([1])), false)
  const onCpu = await kernelsOf(run)
  assert.deepEqual([...onCpu].filter((k) => OP_KERNELS.includes(k)), [], 'no op kernel on cpu')
  await tf.setBackend('native')
  const onNative = await kernelsOf(run)
  for (const k of ['JepaLayerNorm', 'JepaGelu', 'JepaAttention', 'JepaLinear']) assert.ok(onNative.has(k), `${k} ran on native`)
  assert.equal(hasKernel('JepaEma', tf.zeros([1], 'int32')), false, 'an int32 input takes the composite')
})

test('linear op: value and dx, dW, db agree with the composite on cpu (with and without bias)', async () => {
  await setup()
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.boolean(), fc.nat(), async (n, i, o, withBias, seed) => {
      const r = await onBoth(() =>
        withGrads(
          (x, w, b) => linear(x!, w!, b),
          () => [tf.tensor(values(n * i, seed), [n, i]), tf.tensor(values(o * i, seed + 1), [o, i]), ...(withBias ? [tf.tensor(values(o, seed + 2), [o])] : [])],
          seed,
        ),
      )
      assert.equal(r.native.length, withBias ? 4 : 3)
      r.native.forEach((v, k) => assertClose(v, r.cpu[k]!, 1e-4, 1e-5, `linear output ${k}`))
      assertNative(r, 'JepaLinear')
    }),
    { numRuns: 25 },
  )
})

test('linear op: shapes that do not fit are errors naming every shape', () => {
  assert.throws(() => linear(tf.zeros([2, 3]), tf.zeros([4, 5]), undefined), /linear: expected x \[N, inDim\], weight \[outDim, inDim\].*got x \[2, 3\], weight \[4, 5\]/)
  assert.throws(() => linear(tf.zeros([2, 3]), tf.zeros([4, 3]), tf.zeros([3])), /bias \[3\]/)
})

test('gradient fallback: with only the forward kernels registered, layer norm, GELU and attention gradients (composite backward) agree with cpu autodiff', async () => {
  await setup()
  for (const name of ['JepaLayerNormGrad', 'JepaGeluGrad', 'JepaAttentionGrad']) tf.unregisterKernel(name, 'native')
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 16 }), fc.integer({ min: 1, max: 3 }), fc.nat(), async (rows, d, heads, seed) => {
      const ln = await onBoth(() => withGrads((x, g, b) => layerNorm(x!, g!, b!, 1e-5), () => [tf.tensor(values(rows * d, seed, 3), [rows, d]), tf.tensor(values(d, seed + 1), [d]), tf.tensor(values(d, seed + 2), [d])], seed))
      ln.native.forEach((v, i) => assertClose(v, ln.cpu[i]!, 1e-3, 1e-4, `layerNorm output ${i}`))
      assertNative(ln, 'JepaLayerNorm')
      assert.equal(ln.nativeRuns.has('JepaLayerNormGrad'), false)
      const ge = await onBoth(() => withGrads((x) => gelu(x!), () => [tf.tensor(values(rows * d, seed, 4), [rows, d])], seed))
      ge.native.forEach((v, i) => assertClose(v, ge.cpu[i]!, 1e-4, 1e-5, `gelu output ${i}`))
      assertNative(ge, 'JepaGelu')
      const s = [1, heads, rows + 1, d]
      const at = await onBoth(() => withGrads((q, k, v) => attention(q!, k!, v!), () => [tf.tensor(values(size(s), seed), s), tf.tensor(values(size(s), seed + 1), s), tf.tensor(values(size(s), seed + 2), s)], seed))
      at.native.forEach((v, i) => assertClose(v, at.cpu[i]!, 1e-3, 1e-4, `attention output ${i}`))
      assertNative(at, 'JepaAttention')
    }),
    { numRuns: 20 },
  )
})

test('AdamW: the host form (float64, in place) and the tensor form give the same steps', async () => {
  await tf.setBackend('cpu')
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 4 }), fc.nat(), fc.constantFrom(0, 0.05), (n, steps, seed, weightDecay) => {
      const host = adamwHostState(Float64Array.from(values(n, seed)))
      let p = tf.tensor(Float32Array.from(host.param))
      let m = tf.zeros([n])
      let v = tf.zeros([n])
      for (let t = 1; t <= steps; t++) {
        const g = values(n, seed + t)
        const hp = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, step: t }
        adamwUpdateInPlace(host, Float64Array.from(g), hp)
        const r = adamwUpdate(p, tf.tensor(g), m, v, hp)
        tf.dispose([p, m, v])
        ;({ p, m, v } = r)
      }
      assertClose(p.dataSync() as Float32Array, Float32Array.from(host.param), 1e-5, 1e-6, 'params after the steps')
      tf.dispose([p, m, v])
    }),
    { numRuns: 30 },
  )
})
