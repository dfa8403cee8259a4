import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import { keyOf, normal } from '@jepa-ts/core'
import { ATTENTIVE_DEFAULTS, EvalInputError, attentiveProbe, linearProbe, rawPixelTokens, type AttentiveProbeSettings, type LabeledTokens } from '@jepa-ts/eval'

/**
 * A task average pooling cannot solve: each image has T tokens; token t carries a one-hot of its
 * position, and the token at position `label` also carries a marker feature. The mean over tokens
 * is the same for every image (up to noise), so a linear probe on pooled tokens is at chance; a query
 * that attends to the marked token and reads its position solves it.
 */
const markedTokens = (seed: number, n: number, t: number): LabeledTokens => {
  const d = t + 3
  const noise = normal(keyOf(seed), n * t * d)
  const values = new Float32Array(n * t * d)
  const labels = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    labels[i] = (i * 7 + seed) % t
    for (let j = 0; j < t; j++) {
      const base = (i * t + j) * d
      for (let k = 0; k < d; k++) values[base + k] = 0.1 * noise[base + k]!
      values[base + j]! += 1
      if (j === labels[i]) values[base + t]! += 1
    }
  }
  return { tokens: { values, shape: [n, t, d] }, labels }
}

const pooled = (s: LabeledTokens): { features: { values: Float32Array; shape: [number, number] }; labels: Int32Array } => {
  const [n, t, d] = s.tokens.shape
  const values = new Float32Array(n * d)
  for (let i = 0; i < n; i++) for (let j = 0; j < t; j++) for (let k = 0; k < d; k++) values[i * d + k]! += s.tokens.values[(i * t + j) * d + k]! / t
  return { features: { values, shape: [n, d] }, labels: s.labels }
}

const settings = (over: Partial<AttentiveProbeSettings> = {}): AttentiveProbeSettings => ({ ...ATTENTIVE_DEFAULTS, numClasses: 4, heads: 4, key: keyOf(3), ...over })

test('attentive probe finds the marked token where a linear probe on pooled tokens is at chance', async () => {
  await tf.setBackend('cpu')
  const train = markedTokens(1, 512, 4)
  const held = markedTokens(2, 256, 4)
  const before = tf.memory().numTensors
  const r = await attentiveProbe(train, held, settings())
  assert.equal(tf.memory().numTensors, before, 'the probe leaked tensors')
  assert.ok(r.top1 > 0.9, `attentive top-1 ${r.top1}`)
  assert.equal(r.curve.length, ATTENTIVE_DEFAULTS.epochs)
  assert.ok(r.curve.at(-1)!.loss < r.curve[0]!.loss, 'loss did not fall')
  const linear = await linearProbe(pooled(train), pooled(held), { numClasses: 4, epochs: 10, batchSize: 64, lr: 0.01, weightDecay: 1e-4, key: keyOf(4) })
  assert.ok(linear.top1 < 0.45, `linear probe on pooled tokens should be near chance (0.25), got ${linear.top1}`)
})

test('attentive probe is deterministic per key', async () => {
  await tf.setBackend('cpu')
  const train = markedTokens(5, 128, 4)
  const held = markedTokens(6, 64, 4)
  const a = await attentiveProbe(train, held, settings({ epochs: 3 }))
  const b = await attentiveProbe(train, held, settings({ epochs: 3 }))
  assert.deepEqual(a, b)
})

test('attentive probe rejects bad input, naming the field', async () => {
  await tf.setBackend('cpu')
  const train = markedTokens(1, 16, 4)
  const held = markedTokens(2, 8, 4)
  await assert.rejects(attentiveProbe({ ...train, labels: train.labels.slice(1) }, held, settings()), (e: unknown) => e instanceof EvalInputError && /train\.labels/.test(e.message))
  await assert.rejects(attentiveProbe(train, { tokens: { values: held.tokens.values.slice(0, 8 * 4 * 6), shape: [8, 4, 6] }, labels: held.labels }, settings()), (e: unknown) => e instanceof EvalInputError && /test\.tokens/.test(e.message))
  await assert.rejects(attentiveProbe(train, held, settings({ numClasses: 2 })), (e: unknown) => e instanceof EvalInputError && /train\.labels\[\d+\]/.test(e.message))
  await assert.rejects(attentiveProbe(train, held, settings({ heads: 0 })), (e: unknown) => e instanceof EvalInputError && /settings\.heads/.test(e.message))
})

test('rawPixelTokens: patches in row-major order, then one-hot row and column', () => {
  // one 4×4 image, values 0..15, patch 2 → 4 tokens of 4 pixels + 2 + 2 one-hots
  const values = Float32Array.from({ length: 16 }, (_, i) => i)
  const t = rawPixelTokens({ values, shape: [1, 4, 4, 1] }, 2)
  assert.deepEqual(t.shape, [1, 4, 8])
  assert.deepEqual(Array.from(t.values.subarray(0, 8)), [0, 1, 4, 5, 1, 0, 1, 0])
  assert.deepEqual(Array.from(t.values.subarray(8, 16)), [2, 3, 6, 7, 1, 0, 0, 1])
  assert.deepEqual(Array.from(t.values.subarray(24, 32)), [10, 11, 14, 15, 0, 1, 0, 1])
  assert.throws(() => rawPixelTokens({ values, shape: [1, 4, 4, 1] }, 3), (e: unknown) => e instanceof EvalInputError && /patch/.test(e.message))
})
