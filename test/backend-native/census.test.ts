/**
 * The kernel census: every kernel the training steps that exist today execute on `native` is
 * either a native kernel (`NATIVE_KERNELS`) or on the justified fallback list (`CPU_FALLBACKS`);
 * and no native kernel defers to cpu during those steps unless it is listed there too (e.g. an
 * int32 reduction). Steps covered: the DESIGN §5 ViT-block step (fused and stock ops), the
 * @jepa-ts/nn I-JEPA context encoder (patch embed → pos-embed → token gather → blocks → norm)
 * forward + backward, and the AdamW and EMA updates. The I-JEPA, MAE and VICReg family steps
 * join this list when @jepa-ts/ssl has them.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import { CPU_FALLBACKS, NATIVE_KERNELS, isCustomGradWrapper, activeNativeBackend } from '@jepa-ts/backend-native'
import { adamwUpdate, emaUpdate } from '@jepa-ts/ops'
import { flatten, initOrThrow, keyOf, unflatten } from '@jepa-ts/core'
import { encode, vit } from '@jepa-ts/nn'
import { initParams, lossAndGrads, type BlockConfig } from '../../bench/vit-block-model.ts'
import { setup } from './harness.ts'

const SMALL: BlockConfig = { batch: 2, tokens: 16, dim: 24, heads: 3, depth: 2 }

interface Census {
  readonly kernels: Set<string>
  readonly fallbacks: Set<string>
}

const census = async (step: () => void): Promise<Census> => {
  await setup()
  await tf.setBackend('native')
  const b = activeNativeBackend()
  assert.ok(b !== undefined)
  b.resetStats()
  const info = await tf.profile(() => {
    tf.tidy(step)
  })
  return { kernels: new Set(info.kernels.map((k) => k.name)), fallbacks: new Set(b.stats.fallback.keys()) }
}

const assertCovered = (c: Census, what: string): void => {
  const unknown = [...c.kernels].filter((k) => !NATIVE_KERNELS.includes(k) && !(k in CPU_FALLBACKS) && !isCustomGradWrapper(k))
  assert.deepEqual(unknown, [], `${what}: kernels neither native nor on the justified fallback list`)
  const unjustified = [...c.fallbacks].filter((k) => !(k in CPU_FALLBACKS))
  assert.deepEqual(unjustified, [], `${what}: native kernels that fell back to cpu without a listed reason`)
}

test('census lists are well formed: native names unique, no kernel both native and a fallback', () => {
  assert.equal(new Set(NATIVE_KERNELS).size, NATIVE_KERNELS.length)
  for (const [k, why] of Object.entries(CPU_FALLBACKS)) {
    assert.ok(why.length > 10, `${k} needs a reason`)
    if (NATIVE_KERNELS.includes(k)) assert.match(why, /int32|bool/, `${k} is native; its fallback entry must say which dtype stays on cpu`)
  }
})

test('census: the ViT-block step (fused ops and stock ops) runs only native or justified kernels', async () => {
  await setup()
  const p = initParams(SMALL)
  const x = tf.randomNormal([SMALL.batch, SMALL.tokens, SMALL.dim], 0, 1, 'float32', 3)
  for (const fused of [true, false]) {
    const c = await census(() => {
      const { loss, grads } = lossAndGrads(p, x, SMALL, fused)
      tf.dispose([loss, ...grads.values()])
    })
    assert.ok(c.kernels.has('BatchMatMul'), 'the profile saw the step')
    if (fused) for (const k of ['JepaLayerNorm', 'JepaLayerNormGrad', 'JepaGelu', 'JepaGeluGrad', 'JepaAttention', 'JepaAttentionGrad']) assert.ok(c.kernels.has(k), `${k} ran`)
    assertCovered(c, fused ? 'fused ViT block' : 'stock-op ViT block')
  }
  tf.dispose([x, ...p.values()])
})

test('census: the nn I-JEPA context encoder forward + backward, then AdamW and EMA updates', async () => {
  await setup()
  await tf.setBackend('native')
  const v = vit({ dim: 24, depth: 2, heads: 3, imageSize: 16, patchSize: 4, inChans: 1 })
  const { params } = initOrThrow(v.layer, keyOf(0), [2, 16, 16, 1])
  const entries = flatten(params)
  const names = entries.map(([n]) => n)
  const leaves = entries.map(([, t]) => t)
  const images = tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', 5)
  const idx = tf.tensor2d([[0, 1, 5, 9, 15], [2, 3, 4, 8, 12]], [2, 5], 'int32')
  const c = await census(() => {
    const loss = (...ws: tf.Tensor[]): tf.Scalar => {
      const tree = unflatten(ws.map((w, i) => [names[i]!, w] as const))
      return tf.mean(tf.square(encode(v, tree, images, { key: keyOf(1), training: true }, idx)))
    }
    const grads = tf.grads(loss)(leaves)
    grads.forEach((g, i) => {
      const w = leaves[i]!
      adamwUpdate(w, g, tf.zerosLike(w), tf.zerosLike(w), { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05, step: 1 })
      emaUpdate(w, w, 0.996)
    })
  })
  assert.ok(c.kernels.has('GatherV2') && c.kernels.has('UnsortedSegmentSum'), `the token gather and its gradient ran (saw ${[...c.kernels].join(', ')})`)
  assertCovered(c, 'nn context encoder')
  tf.dispose([images, idx, ...leaves])
})
