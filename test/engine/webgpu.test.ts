/**
 * The webgpu backend on SwiftShader: the adapter report, `auto` declining a software adapter with a
 * notice, and the WGSL kernels of the fused ops (layer norm, GELU and its gradient, attention)
 * against the ops' composite definitions on random shapes.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { adapterReport, gpuHint, useBackend, WEBGPU_OP_KERNELS } from '@jepa-ts/engine'
import { attention, attentionComposite, gelu, geluComposite, layerNorm, layerNormComposite } from '@jepa-ts/ops'
import { keyOf, normal } from '@jepa-ts/core'
import { relErr, useSwiftshader, withoutValidationErrors } from './swiftshader.ts'

test('adapter report: software for SwiftShader, lavapipe or a fallback flag; hardware otherwise', () => {
  assert.equal(adapterReport({ vendor: 'google', architecture: 'swiftshader' }).software, true)
  assert.equal(adapterReport({ vendor: 'mesa', device: 'llvmpipe (LLVM 15.0.6, 256 bits)' }).software, true)
  assert.equal(adapterReport({ vendor: 'nvidia', architecture: 'hopper' }, true).software, true)
  assert.equal(adapterReport({ vendor: 'nvidia', architecture: 'hopper', isFallbackAdapter: true }).software, true)
  assert.deepEqual(adapterReport({ vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200' }), { vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', description: '', software: false })
})

test('webgpu starts on SwiftShader and reports it; auto declines the software adapter and says why', async () => {
  assert.equal(gpuHint(), true, 'an explicit Vulkan ICD makes auto try webgpu')
  await useSwiftshader()
  assert.equal(tf.getBackend(), 'webgpu')
  const auto = await useBackend('auto')
  assert.notEqual(auto.name, 'webgpu')
  assert.match(auto.notice ?? '', /webgpu skipped: its adapter google \/ swiftshader \(software fallback\) is slower than the CPU backends/)
  assert.equal(auto.adapter?.software, true)
  await useBackend('webgpu')
})

const tensorOf = (seed: number, shape: number[]): tf.Tensor => tf.tensor(normal(keyOf(seed), shape.reduce((a, b) => a * b, 1)), shape)

/** `kernel` and `composite` on webgpu from the same inputs; asserts the op ran as the named kernel. */
const agree = (name: string, make: () => tf.Tensor[], kernel: (xs: tf.Tensor[]) => tf.Tensor, composite: (xs: tf.Tensor[]) => tf.Tensor, tol: number): Promise<void> =>
  withoutValidationErrors(name, () => agreeValues(name, make, kernel, composite, tol))

const agreeValues = async (name: string, make: () => tf.Tensor[], kernel: (xs: tf.Tensor[]) => tf.Tensor, composite: (xs: tf.Tensor[]) => tf.Tensor, tol: number): Promise<void> => {
  const xs = make()
  let ran = false
  const profile = await tf.profile(() => {
    const y = kernel(xs)
    ran = true
    return y
  })
  tf.dispose(profile.result)
  assert.ok(ran && profile.kernels.some((k) => k.name === name), `${name} ran as a webgpu kernel (saw ${profile.kernels.map((k) => k.name).join(', ')})`)
  const a = tf.tidy(() => kernel(xs))
  const b = tf.tidy(() => composite(xs))
  const err = relErr(await a.data(), await b.data())
  assert.ok(err <= tol, `${name}: kernel vs composite max rel err ${err} > ${tol}`)
  tf.dispose([...xs, a, b])
}

test('WGSL kernels agree with the composite definitions (layer norm, GELU, GELU gradient, attention)', async () => {
  await useSwiftshader()
  assert.deepEqual([...WEBGPU_OP_KERNELS].sort(), ['JepaAttention', 'JepaGelu', 'JepaGeluGrad', 'JepaLayerNorm'])
  for (const k of WEBGPU_OP_KERNELS) assert.ok(tf.getKernel(k, 'webgpu') !== undefined, `${k} is registered for webgpu`)
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 33 }), fc.nat(1000), async (b, n, d, seed) => {
      await agree('JepaLayerNorm', () => [tensorOf(seed, [b, n, d]).mul(3).add(1), tensorOf(seed + 1, [d]), tensorOf(seed + 2, [d])], ([x, g, be]) => layerNorm(x!, g, be, 1e-5), ([x, g, be]) => layerNormComposite(x!, g, be, 1e-5), 1e-4)
      await agree('JepaGelu', () => [tensorOf(seed, [b, n, d]).mul(3)], ([x]) => gelu(x!), ([x]) => geluComposite(x!), 1e-5)
      await agree('JepaGeluGrad', () => [tensorOf(seed, [b, n, d]).mul(3)], ([x]) => tf.grad((z: tf.Tensor) => gelu(z).mul(z).sum())(x!), ([x]) => tf.grad((z: tf.Tensor) => geluComposite(z).mul(z).sum())(x!), 1e-5)
    }),
    { numRuns: 6 },
  )
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 17 }), fc.constantFrom(1, 4, 8, 16), fc.nat(1000), async (b, h, nq, nk, dh, seed) => {
      await agree('JepaAttention', () => [tensorOf(seed, [b, h, nq, dh]).mul(2), tensorOf(seed + 1, [b, h, nk, dh]).mul(2), tensorOf(seed + 2, [b, h, nk, dh])], ([q, k, v]) => attention(q!, k!, v!), ([q, k, v]) => attentionComposite(q!, k!, v!, 1 / Math.sqrt(dh)), 1e-5)
    }),
    { numRuns: 6 },
  )
})
