/**
 * The I-JEPA family on a tiny model (16×16×1 images, patch 4 → 4×4 grid, dim 16, depth 1): stop-gradient,
 * EMA over the encoder only, the context encoder's blindness outside the context, a real learning
 * check on a fixed batch, no leak, determinism, features, config errors. The wasm learning check is
 * in ijepa-wasm.test.ts (one backend per process).
 */
import { test } from 'node:test'
import { readFileSync } from 'node:fs'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type ParamTree, flatten, keyOf, fold, stream } from '@jepa-ts/core'
import { useBackend } from '@jepa-ts/engine'
import { encode, predict } from '@jepa-ts/nn'
import { lossAndGrads, type TrainState } from '@jepa-ts/train'
import {
  branch, decodeIjepaConfig, decodeIjepaConfigOrThrow, energyOf, forwardContext, forwardTarget, ijepa, ijepaFashion, ijepaLossAndGrads, ijepaParts, indexTensor,
  type IjepaConfigInput,
} from '@jepa-ts/ssl'
import { tinyIjepaInput, fixedImages, learns } from './ijepa-tiny.ts'

await useBackend('cpu')

const values = (tree: ParamTree): Map<string, Float32Array> => new Map(flatten(tree).map(([p, t]) => [p, t.dataSync() as Float32Array]))

test('stop-gradient: the target branch is outside the tape — grads equal those with the target features as a constant', () => {
  const config = decodeIjepaConfigOrThrow(tinyIjepaInput)
  const parts = ijepaParts(config, 100)
  const family = ijepa(config, { totalSteps: 100 })
  const state = family.init(keyOf(3)) // target = a copy of the encoder: a leaked gradient would flow here
  const images = fixedImages(4)
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
      const key = keyOf(seed)
      const got = ijepaLossAndGrads(parts, energyOf('smoothL1'))(state, images, key)
      assert.deepEqual(flatten(got.grads).map(([p]) => p), flatten(state.params).map(([p]) => p), 'the leaves are params (encoder, predictor), never target.*')
      // Reference: h computed once, as a constant, then differentiate the online branch only.
      const masks = parts.collate(stream(key, 'mask'), 4)
      const ctxIdx = indexTensor(masks.contextIdx)
      const tgtIdx = masks.targetIdx.map(indexTensor)
      const h = forwardTarget(parts.encoder)(branch(state.target, 'encoder'), images, tgtIdx)
      const ref = lossAndGrads(state.params, (p) => {
        const z = forwardContext(parts.encoder)(branch(p, 'encoder'), images, ctxIdx, { key: stream(key, 'dropout'), training: true })
        return { loss: energyOf('smoothL1')(predict(parts.predictor, branch(p, 'predictor'), z, ctxIdx, tgtIdx, { key: fold(stream(key, 'dropout'), 'predictor'), training: true }), h).loss }
      })
      assert.equal(got.loss, ref.loss, 'same loss')
      const a = values(got.grads)
      for (const [path, g] of values(ref.grads)) assert.deepEqual(a.get(path), g, `gradient at ${path} is the stop-gradient one`)
      tf.dispose([h, ctxIdx, ...tgtIdx, ...flatten(got.grads).map(([, t]) => t), ...flatten(ref.grads).map(([, t]) => t)])
    }),
    { numRuns: 3 },
  )
  images.dispose()
})

test('EMA: after a step the target is m·θ̄_old + (1 − m)·θ_new over the encoder only, never an optimizer update; the predictor has no target copy', () => {
  fc.assert(
    fc.property(fc.constantFrom(0.5, 0.9, 1), fc.integer({ min: 1, max: 100 }), (m, seed) => {
      const config = decodeIjepaConfigOrThrow({ ...tinyIjepaInput, ema: [m, m] })
      const family = ijepa(config, { totalSteps: 10 })
      let state: TrainState = family.init(keyOf(seed))
      const images = fixedImages(4)
      state = family.step(state, images, keyOf(seed + 1)).state // target ≠ encoder from here on
      const oldTarget = values(state.target)
      const r = family.step(state, images, keyOf(seed + 2))
      assert.equal(r.metrics.momentum, m, 'momentum metric')
      assert.deepEqual(Object.keys(r.state.target), ['encoder'], 'target tree = { encoder } only')
      const online = values(branch(r.state.params, 'encoder'))
      const next = values(r.state.target)
      assert.deepEqual([...next.keys()], [...online.keys()].map((p) => `encoder.${p}`), 'target paths mirror the online encoder')
      let moved = 0
      for (const [path, t] of next) {
        const old = oldTarget.get(path)!
        const now = online.get(path.slice('encoder.'.length))!
        const expected = tf.tidy(() => tf.add(tf.mul(tf.tensor(old), m), tf.mul(tf.tensor(now), 1 - m)).dataSync())
        assert.deepEqual(t, expected, `target ${path} = m·old + (1 − m)·online exactly`)
        if (t.some((v, i) => v !== old[i])) moved++
      }
      if (m === 1) assert.equal(moved, 0, 'm = 1 freezes the target although the optimizer moved the encoder')
      else assert.ok(moved > 0, 'the target moved toward the online encoder')
      tf.dispose(images)
    }),
    { numRuns: 4 },
  )
})

test('the context encoder sees only context tokens: predictions are unchanged by any change of the pixels outside the context patches', () => {
  const config = decodeIjepaConfigOrThrow(tinyIjepaInput)
  const parts = ijepaParts(config, 10)
  const state = ijepa(config, { totalSteps: 10 }).init(keyOf(5))
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 10_000 }), (maskSeed, noiseSeed) => {
      const images = fixedImages(2)
      const masks = parts.collate(keyOf(maskSeed), 2)
      const ctxIdx = indexTensor(masks.contextIdx)
      const tgtIdx = masks.targetIdx.map(indexTensor)
      // Pixels of every patch outside the context get noise (targets included).
      const outside = new Float32Array(2 * 16 * 16)
      for (let b = 0; b < 2; b++) {
        const ctx = new Set(masks.contextIdx.data.subarray(b * masks.contextIdx.shape[1], (b + 1) * masks.contextIdx.shape[1]))
        for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) if (!ctx.has(Math.floor(y / 4) * 4 + Math.floor(x / 4))) outside[b * 256 + y * 16 + x] = 1
      }
      const perturbed = tf.tidy(() => tf.add(images, tf.mul(tf.tensor4d(outside, [2, 16, 16, 1]), tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', noiseSeed))))
      const run = (x: tf.Tensor): { z: Float32Array; h: Float32Array } => tf.tidy(() => {
        const z = forwardContext(parts.encoder)(branch(state.params, 'encoder'), x, ctxIdx, { key: keyOf(0), training: false })
        return {
          z: predict(parts.predictor, branch(state.params, 'predictor'), z, ctxIdx, tgtIdx, { key: keyOf(0), training: false }).dataSync() as Float32Array,
          h: forwardTarget(parts.encoder)(branch(state.target, 'encoder'), x, tgtIdx).dataSync() as Float32Array,
        }
      })
      const a = run(images)
      const b = run(perturbed)
      assert.deepEqual(b.z, a.z, 'predictions ignore every pixel outside the context')
      assert.ok(b.h.some((v, i) => v !== a.h[i]), 'while the target features (full image) do change')
      tf.dispose([images, perturbed, ctxIdx, ...tgtIdx])
    }),
    { numRuns: 4 },
  )
})

test('learns on a fixed batch (cpu): loss after 8 steps < 0.8 × the first', () => {
  const { first, last } = learns(ijepa(decodeIjepaConfigOrThrow(tinyIjepaInput), { totalSteps: 100 }), 8)
  assert.ok(last < 0.8 * first, `loss ${first} → ${last}`)
})

test('no tensor leak across steps; same key → identical state; features are [B, D]', () => {
  const family = ijepa(decodeIjepaConfigOrThrow(tinyIjepaInput), { totalSteps: 10 })
  const images = fixedImages(4)
  const run = (steps: number): { state: TrainState; counts: number[] } => {
    let state = family.init(keyOf(11))
    const counts: number[] = []
    for (let i = 0; i < steps; i++) {
      state = family.step(state, images, fold(keyOf(12), i)).state
      counts.push(tf.memory().numTensors)
    }
    return { state, counts }
  }
  const a = run(4)
  assert.deepEqual(a.counts.slice(1), a.counts.slice(1).map(() => a.counts[0]!), `live tensors flat after the first step: ${a.counts}`)
  const b = run(4)
  const [va, vb] = [values({ params: a.state.params, target: a.state.target }), values({ params: b.state.params, target: b.state.target })]
  for (const [path, t] of va) assert.deepEqual(vb.get(path), t, `same key, same ${path}`)
  const f = family.features(a.state, images)
  assert.deepEqual(f.shape, [4, 16], 'features [B, D]')
  assert.equal(family.featureDim, 16, 'featureDim')
  tf.dispose([f, images])
})

test('features are the TARGET (EMA) encoder’s average-pooled tokens: with m = 1 they stay put while the online encoder moves', () => {
  const config = decodeIjepaConfigOrThrow({ ...tinyIjepaInput, ema: [1, 1] })
  const parts = ijepaParts(config, 10)
  const family = ijepa(config, { totalSteps: 10 })
  const images = fixedImages(4)
  const state0 = family.init(keyOf(21))
  const before = family.features(state0, images).dataSync()
  const { state } = family.step(state0, images, keyOf(22))
  const after = family.features(state, images).dataSync()
  const online = tf.tidy(() => tf.mean(encode(parts.encoder, branch(state.params, 'encoder'), images, { key: keyOf(0), training: false }), 1).dataSync())
  assert.deepEqual(after, before, 'features unchanged: the target did not move')
  assert.ok(online.some((v, i) => Math.abs(v - after[i]!) > 1e-6), 'the online encoder did move, and features do not follow it')
  images.dispose()
})

test('config errors name the field', () => {
  const error = (input: unknown): string => {
    const r = decodeIjepaConfig(input, 'ijepa')
    assert.ok(E.isLeft(r), `expected a decode error for ${JSON.stringify(input)}`)
    return E.isLeft(r) ? r.left.format() : ''
  }
  const base: IjepaConfigInput = tinyIjepaInput
  assert.match(error({ ...base, encoder: { dim: 18, depth: 1, heads: 4 } }), /ijepa\.encoder\.dim \(18\)/)
  assert.match(error({ ...base, predictor: { dim: 20, depth: 1 }, encoder: { dim: 16, depth: 1, heads: 8 } }), /ijepa\.predictor\.dim \(20\)/)
  assert.match(error({ ...base, patchSize: 5 }), /ijepa\.patchSize \(5\) must divide ijepa\.image/)
  assert.match(error({ ...base, lr: 1 }), /unknown key "lr" at ijepa/)
  assert.match(error({ ...base, energy: 'l1' }), /at ijepa\.energy/)
  assert.match(error({ ...base, encoder: { dim: 16, depth: 0, heads: 2 } }), /PositiveInt at ijepa\.encoder\.depth/)
  assert.match(error({ ...base, masks: { strategy: 'multi-block', minKeep: 40 } }), /ijepa\.masks\.minKeep/)
  assert.match(error({ ...base, optimizer: { weightDecay: -0.1 } }), /NonNegativeNumber at ijepa\.optimizer\.weightDecay/)
  assert.match(error({ ...base, optimizer: { lr: 1, warmup: 3 } }), /unknown key "warmup" at ijepa\.optimizer/)
  assert.match(error({ ...base, pixelNorm: { mean: 0.3, std: 0 } }), /PositiveNumber.* at ijepa\.pixelNorm\.std/)
  assert.match(error({ ...base, pixelNorm: { mean: 0.3 } }), /ijepa\.pixelNorm\.std/)
  assert.match(error({ ...base, patchInitStd: -1 }), /PositiveNumber at ijepa\.patchInitStd/)
  const file = decodeIjepaConfigOrThrow(JSON.parse(readFileSync(new URL('../../examples/configs/ijepa-fashion.json', import.meta.url), 'utf8')))
  assert.deepEqual(file, ijepaFashion, 'examples/configs/ijepa-fashion.json is the typed preset')
})
