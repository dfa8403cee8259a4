/** The joint-embedding skeleton: presets and their JSON files, features, heads, views per step, declaration errors. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs'
import type * as t from 'io-ts'
import { decodeOrThrow, flatten, initOrThrow, keyOf, stream } from '@jepa-ts/core'
import { useBackend } from '@jepa-ts/engine'
import { disposeState } from '@jepa-ts/train'
import {
  BarlowConfigCodec, ByolConfigCodec, SimclrConfigCodec, SimsiamConfigCodec, VicregConfigCodec,
  barlowFashion, batchNorm1d, byolFashion, embeddingStd, head, jointFamily, jointParts, simclr, simclrFashion, simsiamFashion, twoViews, vicregFashion,
} from '@jepa-ts/ssl'
import { blockImages, tinyBase } from './joint-harness.ts'

await useBackend('cpu')

test('each Fashion preset equals its examples/configs JSON, decoded', () => {
  const check = <A extends { readonly image: readonly number[] }>(name: string, codec: t.Decoder<unknown, A>, preset: A): void => {
    const json: unknown = JSON.parse(readFileSync(`examples/configs/${name}-fashion.json`, 'utf8'))
    assert.deepEqual(decodeOrThrow(codec, json), preset, `${name}: JSON and typed preset agree`)
    assert.deepEqual(preset.image, [32, 32, 1], `${name}: 28×28 padded to 32`)
  }
  check('simclr', SimclrConfigCodec, simclrFashion)
  check('vicreg', VicregConfigCodec, vicregFashion)
  check('barlow', BarlowConfigCodec, barlowFashion)
  check('byol', ByolConfigCodec, byolFashion)
  check('simsiam', SimsiamConfigCodec, simsiamFashion)
})

test('features are the average-pooled online encoder tokens, [B, D], deterministic', () => {
  const family = simclr(decodeOrThrow(SimclrConfigCodec, tinyBase), { totalSteps: 4 })
  const state = family.init(keyOf(0))
  const images = blockImages(2, 5)
  const a = family.features(state, images)
  const b = family.features(state, images)
  assert.deepEqual(a.shape, [5, family.featureDim], 'features [B, D]')
  assert.equal(family.featureDim, 16)
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()), 'same state, same features')
  tf.dispose([a, b, images])
  disposeState(state)
})

test('heads (fc1 → bn1 → ReLU → fc2) use PyTorch default init: |w| ≤ 1/√in, and are not all tiny', () => {
  const { params, outDims } = initOrThrow(head(64, 32, 8), keyOf(3), [2, 64])
  assert.deepEqual(outDims, [2, 8])
  const w = flatten(params).find(([p]) => p === 'fc1.weight')![1]
  const values = Array.from(w.dataSync())
  const bound = 1 / Math.sqrt(64)
  assert.ok(values.every((v) => Math.abs(v) <= bound), `fc1 weights within ±${bound}`)
  assert.ok(Math.max(...values.map(Math.abs)) > 0.8 * bound, 'fc1 weights fill the range')
  assert.deepEqual(flatten(params).map(([p]) => p).sort(), ['bn1.bias', 'bn1.weight', 'fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight'])
})

test('batchNorm1d (training mode): each feature has batch mean 0 and biased variance 1 before the affine', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 2, max: 9 }), (seed, B) =>
      tf.tidy(() => {
        const bn = batchNorm1d(3, 'bn')
        const { params } = initOrThrow(bn, keyOf(seed), [B, 3])
        const x = tf.add(tf.mul(tf.randomNormal([B, 3], 0, 1, 'float32', seed + 1), tf.tensor1d([0.1, 5, 30])), tf.tensor1d([-2, 0, 7]))
        const { mean, variance } = tf.moments(bn.apply(params, x, { key: keyOf(0), training: true }) as tf.Tensor, 0)
        const m = Array.from(mean.dataSync())
        const v = Array.from(variance.dataSync())
        const xv = Array.from(tf.moments(x, 0).variance.dataSync())
        m.forEach((mi) => assert.ok(Math.abs(mi) < 1e-4, `batch mean ${mi}`))
        v.forEach((vi, i) => assert.ok(Math.abs(vi - xv[i]! / (xv[i]! + 1e-5)) < 1e-3, `batch variance ${vi}, expected ${xv[i]! / (xv[i]! + 1e-5)}`))
        return true
      }),
    ),
    { numRuns: 20 },
  )
})

test('the two views differ from each other and change with the step key', () => {
  const parts = jointParts(decodeOrThrow(SimclrConfigCodec, tinyBase), 4)
  tf.tidy(() => {
    const images = blockImages()
    const [v1, v2] = twoViews(parts.views)(stream(keyOf(1), 'augment'), images)
    const [w1] = twoViews(parts.views)(stream(keyOf(2), 'augment'), images)
    const gap = (a: tf.Tensor, b: tf.Tensor): number => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!
    assert.ok(gap(v1, v2) > 1e-3, 'view 1 ≠ view 2')
    assert.ok(gap(v1, w1) > 1e-3, 'another step key, another view')
  })
})

test('embeddingStd: 0 for a collapsed batch, ≈ 1/√d for random directions', () => {
  tf.tidy(() => {
    const collapsed = tf.tile(tf.tensor2d([[1, 2, 3, 4]]), [8, 1]) as tf.Tensor2D
    assert.ok(embeddingStd(collapsed).dataSync()[0]! < 1e-6, 'collapsed → 0')
    const random = tf.randomNormal([4096, 16], 0, 1, 'float32', 7) as tf.Tensor2D
    const s = embeddingStd(random).dataSync()[0]!
    assert.ok(Math.abs(s - 0.25) < 0.02, `random → 1/√16 = 0.25, got ${s}`)
  })
})

test('declaration errors: predictor present exactly with a predictor objective; totalSteps checked', () => {
  const pairConfig = decodeOrThrow(SimclrConfigCodec, tinyBase)
  const withPredictor = decodeOrThrow(ByolConfigCodec, { ...tinyBase, predictor: { hidden: 8 } })
  const pair = { name: 'x', description: 'x', objective: { kind: 'pair' as const, energy: () => ({ loss: tf.scalar(0) }) } }
  assert.throws(() => jointFamily(withPredictor, pair, { totalSteps: 4 }), /config\.predictor/)
  assert.throws(() => simclr(pairConfig, { totalSteps: 0 }), /totalSteps/)
  assert.throws(() => jointParts(decodeOrThrow(SimclrConfigCodec, { ...tinyBase, optimizer: { ...tinyBase.optimizer, warmupSteps: 10 } }), 5), /totalSteps \(5\)/)
})
