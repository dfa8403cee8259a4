/**
 * The fused ops (layer norm, GELU, attention, AdamW, EMA): on `native` (one kernel forward, one
 * backward) they agree with the composite definition run on `cpu`, in value and in every
 * gradient, over random shapes (fast-check). Each law checks the fused kernel actually ran.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { adamwUpdate, emaUpdate, attention as fusedAttention, gelu as fusedGelu, layerNorm as fusedLayerNorm } from '@jepa-ts/ops'
import { assertClose, assertNative, onBoth, setup, size, values, withGrads } from './harness.ts'

const dim = fc.integer({ min: 1, max: 12 })

test('fusedLayerNorm: value and dx, dγ, dβ agree with the composite on cpu', async () => {
  await setup()
  await fc.assert(
    fc.asyncProperty(fc.array(dim, { minLength: 0, maxLength: 2 }), fc.integer({ min: 2, max: 70 }), fc.nat(), async (lead, d, seed) => {
      const shape = [...lead, d]
      const r = await onBoth(() =>
        // rows = a ramp over ±3 plus noise within ±1: every row's spread is bounded below, so the
        // comparison is not at the mercy of a near-constant row (where 1/σ amplifies float32 rounding
        // in dx: a 2-element row of two close values once gave a 1e-3 relative gap)
        withGrads((x, g, b) => fusedLayerNorm(x!, g!, b!, 1e-6), () => [tf.add(tf.tensor(values(size(shape), seed, 1), shape), tf.linspace(-3, 3, d)), tf.tensor(values(d, seed + 1), [d]), tf.tensor(values(d, seed + 2), [d])], seed),
      )
      r.native.forEach((v, i) => assertClose(v, r.cpu[i]!, 1e-3, 1e-4, `layerNorm output ${i}`))
      assertNative(r, 'JepaLayerNorm')
      assertNative(r, 'JepaLayerNormGrad')
    }),
    { numRuns: 30 },
  )
})

test('fusedGelu: value and dx agree with the composite on cpu', async () => {
  await setup()
  await fc.assert(
    fc.asyncProperty(fc.array(dim, { minLength: 0, maxLength: 3 }), fc.nat(), async (shape, seed) => {
      const r = await onBoth(() => withGrads((x) => fusedGelu(x!), () => [tf.tensor(values(size(shape), seed, 4), shape)], seed))
      r.native.forEach((v, i) => assertClose(v, r.cpu[i]!, 1e-5, 1e-6, `gelu output ${i}`))
      assertNative(r, 'JepaGelu')
      assertNative(r, 'JepaGeluGrad')
    }),
    { numRuns: 30 },
  )
})

test('fusedAttention: value and dq, dk, dv agree with the composite on cpu', async () => {
  await setup()
  await fc.assert(
    fc.asyncProperty(fc.record({ b: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 4 }), nq: dim, nk: dim, dh: dim, seed: fc.nat() }), async ({ b, h, nq, nk, dh, seed }) => {
      const qs = [b, h, nq, dh]
      const ks = [b, h, nk, dh]
      const r = await onBoth(() =>
        withGrads((q, k, v) => fusedAttention(q!, k!, v!), () => [tf.tensor(values(size(qs), seed), qs), tf.tensor(values(size(ks), seed + 1), ks), tf.tensor(values(size(ks), seed + 2), ks)], seed),
      )
      r.native.forEach((v, i) => assertClose(v, r.cpu[i]!, 1e-3, 1e-4, `attention output ${i}`))
      assertNative(r, 'JepaAttention')
      assertNative(r, 'JepaAttentionGrad')
    }),
    { numRuns: 30 },
  )
})

test('adamwUpdate and emaUpdate agree with the composite on cpu', async () => {
  await setup()
  await fc.assert(
    fc.asyncProperty(fc.array(dim, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(), async (shape, step, momentum, seed) => {
      const n = size(shape)
      const r = await onBoth(() => {
        const t = (s: number, scale = 1): tf.Tensor => tf.tensor(values(n, seed + s, scale), shape)
        const u = adamwUpdate(t(0), t(1), t(2, 0.1), tf.abs(t(3, 0.01)), { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05, step })
        return [u.p, u.m, u.v, emaUpdate(t(4), t(5), momentum)]
      })
      r.native.forEach((v, i) => assertClose(v, r.cpu[i]!, 1e-5, 1e-6, `update output ${i}`))
      assertNative(r, 'JepaAdamW')
      assertNative(r, 'JepaEma')
    }),
    { numRuns: 30 },
  )
})

test('fused ops name the expected and actual shapes on a mismatch', async () => {
  await setup()
  assert.throws(() => fusedLayerNorm(tf.zeros([2, 4]), tf.ones([3]), tf.zeros([4])), /gamma and beta must be \[4\].*got \[3\] and \[4\]/)
  assert.throws(() => fusedAttention(tf.zeros([1, 2, 3, 4]), tf.zeros([1, 2, 3, 5]), tf.zeros([1, 2, 3, 5])), /expected q \[B,H,Nq,Dh\].*got q \[1, 2, 3, 4\], k \[1, 2, 3, 5\]/)
})
