/**
 * SimSiam on the joint-embedding skeleton: learning on cpu and wasm, no leak, determinism, no EMA
 * target; the stop-gradient branch gets no gradient — the family's gradients differ from those of
 * the same loss with the target branch inside the differentiated function.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import { type Ctx, decode, decodeOrThrow, disposeTree, flatten, keyOf, stream } from '@jepa-ts/core'
import { useBackend } from '@jepa-ts/engine'
import { disposeState, lossAndGrads } from '@jepa-ts/train'
import { SimsiamConfigCodec, embed, jointLossAndGrads, jointParts, predictFrom, simsiam, simsiamObjective, twoViews } from '@jepa-ts/ssl'
import { assertDeterministic, assertLearns, blockImages, tinyBase } from './joint-harness.ts'

const input = { ...tinyBase, predictor: { hidden: 8 } }
const config = decodeOrThrow(SimsiamConfigCodec, input)
const family = simsiam(config, { totalSteps: 20 })

// Threshold: −cos starts at −0.30 with random heads; 10 steps at lr 3e-3 on a fixed batch and key
// measured −0.303 → −0.503 (cpu) and −0.304 → −0.507 (wasm); the first steps are not monotone (the
// predictor and the BatchNorm statistics move together). We ask for a fall of 0.1, half of that.
for (const backend of ['cpu', 'wasm'] as const) {
  test(`simsiam learns a fixed batch on ${backend} (10 steps, loss falls by ≥ 0.1) without leaking tensors`, async () => {
    await useBackend(backend)
    assertLearns(family, 10, 0.1, backend)
  })
}

test('simsiam: the stop-gradient branch gets no gradient (same loss, different gradients than with the target inside)', async () => {
  await useBackend('cpu')
  const images = blockImages()
  const state = family.init(keyOf(0))
  const parts = jointParts(config, 20)
  const key = keyOf(5)
  const outside = jointLossAndGrads(parts, simsiamObjective)(state, images, key)
  // The same loss with z1, z2 differentiated on both sides: what SimSiam without stop-gradient computes.
  const views = twoViews(parts.views)(stream(key, 'augment'), images)
  const ctx: Ctx = { key: stream(key, 'dropout'), training: true }
  const inside = lossAndGrads(state.params, (p) => {
    const z1 = embed(parts)(p, views[0], ctx)
    const z2 = embed(parts)(p, views[1], ctx)
    return simsiamObjective.kind === 'predictor' ? simsiamObjective.energy([predictFrom(parts)(p, z1), predictFrom(parts)(p, z2)], [z1, z2]) : assert.fail('predictor objective')
  })
  assert.ok(Math.abs(inside.loss - outside.loss) < 1e-6, `same forward value: ${inside.loss} vs ${outside.loss}`)
  const g = (tree: typeof outside.grads, path: string): Float32Array => flatten(tree).find(([p]) => p === path)![1].dataSync() as Float32Array
  const diff = (path: string): number => g(outside.grads, path).reduce((m, v, i) => Math.max(m, Math.abs(v - g(inside.grads, path)[i]!)), 0)
  assert.ok(diff('encoder.patch_embed.proj.weight') > 1e-6, `encoder gradients differ when the target is differentiated (max |Δ| ${diff('encoder.patch_embed.proj.weight')})`)
  assert.ok(diff('projector.fc2.weight') > 1e-6, `projector gradients differ (max |Δ| ${diff('projector.fc2.weight')})`)
  // The predictor sits only on the online side, but its gradient depends on z only through the forward values: equal.
  assert.ok(diff('predictor.fc2.weight') < 1e-5, `predictor gradients agree (max |Δ| ${diff('predictor.fc2.weight')})`)
  tf.dispose([...views])
  disposeTree(inside.grads)
  disposeTree(outside.grads)
  disposeState(state)
  images.dispose()
})

test('simsiam: no EMA target; same keys → identical state after 3 steps', async () => {
  await useBackend('cpu')
  const s = family.init(keyOf(0))
  assert.deepEqual(Object.keys(s.target), [], 'target = {}')
  disposeState(s)
  assertDeterministic(family, 3)
})

test('simsiam config errors name the field', () => {
  const r = decode(SimsiamConfigCodec, { ...input, predictor: { hidden: 0 } }, 'simsiam')
  assert.ok(r._tag === 'Left' && /simsiam\.predictor\.hidden/.test(r.left.format()), `hidden 0 rejected: ${r._tag === 'Left' ? r.left.format() : 'accepted'}`)
  const views = decode(SimsiamConfigCodec, { ...input, views: { flipProb: 2 } }, 'simsiam')
  assert.ok(views._tag === 'Left' && /simsiam\.views\.flipProb/.test(views.left.format()), `flipProb 2 rejected: ${views._tag === 'Left' ? views.left.format() : 'accepted'}`)
})
