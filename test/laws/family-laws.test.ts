/**
 * checkFamily on a user-style data2vec-like family written from the public API: the correct family
 * passes every law, and each planted slip is reported by the law meant to catch it, with the family
 * named and a shrunk case (keys and image batch) in the message.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import { LawViolation, checkFamily } from '@jepa-ts/laws'
import { type FamilyBug, data2vecLike } from './data2vec-family.ts'

await tf.setBackend('cpu')

test('the data2vec-like family passes every law', () => {
  const before = tf.memory().numTensors
  const report = checkFamily(data2vecLike(), { numRuns: 3 })
  assert.deepEqual(report.laws.map((l) => l.law), ['deterministic', 'target-no-gradient', 'ema-between', 'no-leak', 'features', 'resume'])
  assert.ok(report.laws.every((l) => l.runs === 3 && l.skipped === undefined), JSON.stringify(report.laws))
  assert.equal(tf.memory().numTensors, before, 'checkFamily itself leaks nothing')
})

const planted: ReadonlyArray<readonly [FamilyBug, string, RegExp]> = [
  ['unseeded-mask', 'deterministic', /two steps from the same state, images and key give different states at params\./],
  ['target-gets-gradients', 'target-no-gradient', /the step asks autodiff for gradients with respect to target\.encoder\.\S+.*the target branch must not be differentiated/],
  ['ema-wrong-sign', 'ema-between', /target\.encoder\.\S+\[\d+\] moved to \S+, outside \[/],
  ['leaky-step', 'no-leak', /a step changes the live tensor count by 1/],
  ['tokens-as-features', 'features', /features has shape \[\d, 4, 8\], declared \[\d, 8\]/],
  ['state-outside-checkpoint', 'resume', /step → checkpoint → restore → step differs from two steps in a row at params\./],
]

for (const [bug, law, detail] of planted) {
  test(`checkFamily: the slip "${bug}" is reported by "${law}" with a shrunk case`, () => {
    let caught: unknown
    try {
      checkFamily(data2vecLike(bug), { numRuns: 2, seed: 11 })
    } catch (e) {
      caught = e
    }
    assert.ok(caught instanceof LawViolation, `expected a LawViolation, got ${String(caught)}`)
    assert.equal(caught.law, law, caught.message)
    assert.match(caught.message, new RegExp(`^law "${law}" fails for family "data2vec-like \\(${bug}\\)"`))
    assert.match(caught.detail, detail)
    assert.match(caught.counterexample, /^init key keyOf\(\d+\), step keys fold\(keyOf\(\d+\), 0 \| 1\), images \[[23], 8, 8, 1\] uniform from seed \d+$/)
  })
}
