/**
 * Every family @jepa-ts/ssl ships passes checkFamily at the tiny configs the ssl tests use: one step
 * deterministic per key, no gradient into the EMA target, the EMA between old target and online,
 * no leaked tensor, features [B, featureDim], and checkpoint → resume → step equal to two steps.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import { decodeOrThrow } from '@jepa-ts/core'
import type { Family } from '@jepa-ts/train'
import {
  BarlowConfigCodec,
  ByolConfigCodec,
  SimclrConfigCodec,
  SimsiamConfigCodec,
  VicregConfigCodec,
  barlowFamily,
  byol,
  decodeIjepaConfigOrThrow,
  decodeMaeConfigOrThrow,
  ijepa,
  ijepaVc,
  mae,
  simclr,
  simsiam,
  vicregFamily,
} from '@jepa-ts/ssl'
import { checkFamily } from '@jepa-ts/laws'
import { tinyIjepaInput } from '../ssl/ijepa-tiny.ts'
import { tinyMaeInput } from '../ssl/mae-tiny.ts'
import { tinyBase } from '../ssl/joint-harness.ts'

await tf.setBackend('cpu')

const withTarget = new Set(['ijepa', 'ijepa-vc', 'byol'])
const families: ReadonlyArray<() => Family> = [
  () => ijepa(decodeIjepaConfigOrThrow(tinyIjepaInput), { totalSteps: 10 }),
  () => ijepaVc(decodeIjepaConfigOrThrow(tinyIjepaInput), { totalSteps: 10 }),
  () => mae(decodeMaeConfigOrThrow(tinyMaeInput), { totalSteps: 10 }),
  () => simclr(decodeOrThrow(SimclrConfigCodec, tinyBase), { totalSteps: 10 }),
  () => vicregFamily(decodeOrThrow(VicregConfigCodec, tinyBase), { totalSteps: 10 }),
  () => barlowFamily(decodeOrThrow(BarlowConfigCodec, tinyBase), { totalSteps: 10 }),
  () => byol(decodeOrThrow(ByolConfigCodec, { ...tinyBase, predictor: { hidden: 32 }, momentum: 0.9 }), { totalSteps: 10 }),
  () => simsiam(decodeOrThrow(SimsiamConfigCodec, { ...tinyBase, predictor: { hidden: 32 } }), { totalSteps: 10 }),
]

for (const make of families) {
  const family = make()
  test(`checkFamily: ${family.name} obeys every law`, () => {
    const report = checkFamily(family, { numRuns: 1, batchSize: [2, 2] })
    const ran = report.laws.filter((l) => l.skipped === undefined).map((l) => l.law)
    const expected = withTarget.has(family.name)
      ? ['deterministic', 'target-no-gradient', 'ema-between', 'no-leak', 'features', 'resume']
      : ['deterministic', 'no-leak', 'features', 'resume']
    assert.deepEqual(ran, expected, JSON.stringify(report.laws))
  })
}
