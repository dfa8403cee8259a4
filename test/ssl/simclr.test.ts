/** SimCLR on the joint-embedding skeleton: learning on cpu and wasm, no leak, determinism, config errors. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decode, decodeOrThrow } from '@jepa-ts/core'
import { useBackend } from '@jepa-ts/engine'
import { SimclrConfigCodec, simclr } from '@jepa-ts/ssl'
import { disposeState } from '@jepa-ts/train'
import { assertDeterministic, assertLearns, blockImages, tinyBase, trainFixed } from './joint-harness.ts'

const family = simclr(decodeOrThrow(SimclrConfigCodec, tinyBase), { totalSteps: 20 })

// Threshold: NT-Xent starts near ln(2N − 1) = ln 31 ≈ 3.43 (the tiny ViT's pooled features are nearly
// identical at init; the projector's BatchNorm spreads them a little: 3.33); 10 steps at lr 3e-3 on a
// fixed batch and key measured 3.326 → 2.464 (cpu) and 3.306 → 2.468 (wasm). We ask for a fall of 0.4,
// under half of that.
for (const backend of ['cpu', 'wasm'] as const) {
  test(`simclr learns a fixed batch on ${backend} (10 steps, loss falls by ≥ 0.4) without leaking tensors`, async () => {
    await useBackend(backend)
    assertLearns(family, 10, 0.4, backend)
  })
}

test('simclr: same keys → identical state after 3 steps', async () => {
  await useBackend('cpu')
  assertDeterministic(family, 3)
})

test('simclr: metrics carry loss, lr, wd, gradNorm, embeddingStd; τ defaults to 0.5', async () => {
  await useBackend('cpu')
  assert.equal(decodeOrThrow(SimclrConfigCodec, tinyBase).temperature, 0.5)
  const images = blockImages()
  const { metrics, state } = trainFixed(family, images, 1)
  for (const name of ['loss', 'lr', 'wd', 'gradNorm', 'embeddingStd']) assert.ok(Number.isFinite(metrics[0]![name]), `metric ${name}: ${metrics[0]![name]}`)
  disposeState(state)
  images.dispose()
})

test('simclr config errors name the field', () => {
  const r = decode(SimclrConfigCodec, { ...tinyBase, temperature: 0 }, 'simclr')
  assert.ok(r._tag === 'Left' && /simclr\.temperature/.test(r.left.format()), `temperature 0 rejected at simclr.temperature: ${r._tag === 'Left' ? r.left.format() : 'accepted'}`)
  const typo = decode(SimclrConfigCodec, { ...tinyBase, temprature: 0.2 }, 'simclr')
  assert.ok(typo._tag === 'Left' && /temprature/.test(typo.left.format()), `unknown key named: ${typo._tag === 'Left' ? typo.left.format() : 'accepted'}`)
})
