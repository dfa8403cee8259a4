/**
 * checkLayer on user-style layers: each correct layer passes every law, and each planted bug is
 * reported by the law meant to catch it, with the layer named and a shrunk counterexample.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import type { AnyLayer } from '@jepa-ts/core'
import { type CheckLayerOptions, LawViolation, checkLayer, tokensArb } from '@jepa-ts/laws'
import { handAttention, runningSum, sqrtAbs, tokenRmsNorm, userDropout } from './user-layers.ts'

await tf.setBackend('cpu')

const opts: CheckLayerOptions = { inputs: tokensArb(4), tokenAxis: 1, numRuns: 12, seed: 7 }

/** The violation `checkLayer` throws, asserted to name `law` and `layerName` and to carry a shrunk case. */
const violation = (layer: AnyLayer, law: string, layerName: string, options: CheckLayerOptions = opts, leaks = false): LawViolation => {
  const before = tf.memory().numTensors
  let caught: unknown
  try {
    checkLayer(layer, options)
  } catch (e) {
    caught = e
  }
  assert.ok(caught instanceof LawViolation, `expected a LawViolation for ${law}, got ${String(caught)}`)
  assert.equal(caught.law, law, caught.message)
  assert.match(caught.message, new RegExp(`^law "${law}" fails for layer "${layerName}"`))
  assert.match(caught.message, /shrunk counterexample \(\d+ shrinks?\): input \[\d+, \d+, 4\]/)
  if (!leaks) assert.equal(tf.memory().numTensors, before, 'the check itself leaks nothing')
  return caught
}

test('the correct user layers pass every law', () => {
  for (const layer of [tokenRmsNorm(4), handAttention(4, 2), userDropout()]) {
    const report = checkLayer(layer, opts)
    assert.deepEqual(report.laws.map((l) => l.law), ['infer-agrees', 'param-paths', 'deterministic', 'eval-ignores-key', 'batch-independence', 'token-equivariance', 'finite', 'no-leak'])
    assert.ok(report.laws.every((l) => l.runs === 12))
  }
})

test('infer-agrees: an attention that drops a head returns a narrower output than infer declares', () => {
  const v = violation(handAttention(4, 2, true), 'infer-agrees', 'attn')
  assert.match(v.detail, /apply returns \[\d+, \d+, 2\], infer says \[\d+, \d+, 4\]/)
  // Shrinking reaches the smallest input: one sample of one token.
  assert.match(v.counterexample, /^input \[1, 1, 4\]/)
})

test('infer-agrees: an init that creates a param infer never declared', () => {
  const v = violation(tokenRmsNorm(4, 'extra-init-param'), 'infer-agrees', 'rms')
  assert.match(v.detail, /infer declares params \{gain \[4\]\}, init creates \{gain \[4\], scale \[1\]\}/)
})

test('infer-agrees: an executed-FLOPs counter that disagrees with infer is reported', () => {
  const layer = tokenRmsNorm(4)
  const declared = (dims: readonly number[]) => 4 * dims.reduce((a, b) => a * b, 1)
  let lastDims: readonly number[] = []
  const counter = (off: number) => (run: () => void): number => {
    run()
    return declared(lastDims) + off
  }
  const inputs = tokensArb(4).map((d) => ((lastDims = d), d))
  assert.doesNotThrow(() => checkLayer(layer, { inputs, numRuns: 5, laws: ['infer-agrees'], countFlops: counter(0) }))
  const v = violation(layer, 'infer-agrees', 'rms', { inputs, numRuns: 5, laws: ['infer-agrees'], countFlops: counter(1) })
  assert.match(v.detail, /executed \d+ FLOPs, infer declares \d+/)
})

test('deterministic: a dropout drawing unseeded randomness', () => {
  const v = violation(userDropout('unseeded'), 'deterministic', 'drop')
  assert.match(v.detail, /training: true/)
})

test('eval-ignores-key: a dropout that ignores training: false', () => {
  violation(userDropout('ignores-training'), 'eval-ignores-key', 'drop')
})

test('batch-independence: a normalization over the batch axis', () => {
  const v = violation(tokenRmsNorm(4, 'batch-statistics'), 'batch-independence', 'rms')
  assert.match(v.detail, /sample 0's output 0 changes when the other 1 sample\(s\) change/)
  assert.match(v.counterexample, /^input \[2, 1, 4\]/)
})

test('token-equivariance: a running sum over tokens in a layer declared token-wise', () => {
  const v = violation(runningSum(), 'token-equivariance', 'mix')
  assert.match(v.counterexample, /^input \[1, 2, 4\]/)
  // Without the declaration the same layer passes: equivariance is only checked when claimed.
  assert.doesNotThrow(() => checkLayer(runningSum(), { ...opts, tokenAxis: undefined }))
})

test('finite: an RMS norm without eps is NaN on zeros; √(x²) has a NaN gradient at 0', () => {
  const v = violation(tokenRmsNorm(4, 'no-eps'), 'finite', 'rms')
  assert.match(v.detail, /output 0: element \[0, 0, 0\] is NaN/)
  assert.match(v.counterexample, /\((zeros|all 0)\)/)
  const g = violation(sqrtAbs(), 'finite', 'abs')
  assert.match(g.detail, /gradient with respect to the input: element \[0, 0, 0\] is NaN/)
})

test('no-leak: a tensor created outside the tidy and never disposed', () => {
  const v = violation(tokenRmsNorm(4, 'leaks-a-scalar'), 'no-leak', 'rms', opts, true)
  assert.match(v.detail, /leave \d+ tensor\(s\) alive/)
})

test('param-paths: a dotted param name, and a param sized by the batch', () => {
  const d = violation(tokenRmsNorm(4, 'dotted-param-name'), 'param-paths', 'rms')
  assert.match(d.detail, /segment "gain\.weight"/)
  const b = violation(tokenRmsNorm(4, 'batch-sized-param'), 'param-paths', 'rms')
  assert.match(b.detail, /params depend on the batch size/)
})

test('a layer whose infer rejects the declared inputs is reported by infer-agrees', () => {
  const v = violation(tokenRmsNorm(5), 'infer-agrees', 'rms')
  assert.match(v.detail, /infer rejects the input/)
  assert.ok(E.isLeft(tokenRmsNorm(5).infer([1, 1, 4], 'rms')))
})
