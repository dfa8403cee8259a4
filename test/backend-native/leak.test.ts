/**
 * No leaks across 100 training steps on `native`: a ViT-block step (fused ops) followed by AdamW
 * and EMA updates of every weight keeps `tf.memory().numTensors` exactly flat after the first
 * step, the output-buffer pool's count of buffers in use is flat too (a buffer never released
 * would raise it) and, after warm-up, the pool allocates (almost) nothing: outputs reuse buffers; and
 * the native heap (malloc's bytes in use, from the addon) and the process RSS stay within a bound
 * instead of growing with the step count.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import { activeNativeBackend } from '@jepa-ts/backend-native'
import { adamwUpdate, emaUpdate } from '@jepa-ts/ops'
import { initParams, lossAndGrads, type BlockConfig } from '../../bench/vit-block-model.ts'
import { setup } from './harness.ts'

const C: BlockConfig = { batch: 4, tokens: 16, dim: 48, heads: 3, depth: 2 }

test('100 native training steps leak no tensors and no native memory', async () => {
  await setup()
  await tf.setBackend('native')
  const backend = activeNativeBackend()
  assert.ok(backend !== undefined)
  const p = initParams(C, 21)
  const target = new Map([...p].map(([k, v]) => [k, tf.variable(v.clone())]))
  const m = new Map([...p].map(([k, v]) => [k, tf.variable(tf.zerosLike(v))]))
  const v2 = new Map([...p].map(([k, v]) => [k, tf.variable(tf.zerosLike(v))]))
  const x = tf.randomNormal([C.batch, C.tokens, C.dim], 0, 1, 'float32', 23)
  const step = (t: number): void => {
    const { loss, grads } = lossAndGrads(p, x, C, true)
    tf.tidy(() => {
      for (const [name, w] of p) {
        const g = grads.get(name)!
        const u = adamwUpdate(w, g, m.get(name)!, v2.get(name)!, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05, step: t })
        w.assign(u.p)
        m.get(name)!.assign(u.m)
        v2.get(name)!.assign(u.v)
        target.get(name)!.assign(emaUpdate(target.get(name)!, w, 0.99))
      }
    })
    tf.dispose([loss, ...grads.values()])
  }
  step(1)
  step(2)
  const tensors = tf.memory().numTensors
  const pool0 = backend.pool.stats()
  const heap0 = backend.addon.info().mallocInUse
  const rss0 = process.memoryUsage().rss
  const counts: number[] = []
  const inUse: number[] = []
  for (let t = 3; t <= 102; t++) {
    step(t)
    counts.push(tf.memory().numTensors)
    inUse.push(backend.pool.stats().inUse)
  }
  assert.deepEqual(new Set(counts), new Set([tensors]), 'live tensor count is flat')
  assert.deepEqual(new Set(inUse), new Set([pool0.inUse]), 'pooled buffers in use are flat')
  const pool1 = backend.pool.stats()
  // One step takes ~50 pooled outputs: a pool that did not recycle would allocate ~5000 here. A few
  // fresh buffers are fine (a smaller output may take a larger free class first).
  assert.ok(pool1.allocated - pool0.allocated <= 10, `the pool reuses buffers instead of allocating per step: ${JSON.stringify(pool0)} → ${JSON.stringify(pool1)}`)
  assert.ok(pool1.reused > pool0.reused + 100, `the pool was used (${pool1.reused - pool0.reused} reuses in 100 steps)`)
  const heapGrowth = backend.addon.info().mallocInUse - heap0
  const rssGrowth = process.memoryUsage().rss - rss0
  // One step allocates ~4 MB of outputs; a leak of one step's outputs per step would be ~400 MB.
  assert.ok(heapGrowth < 64 * 2 ** 20, `native heap grew by ${(heapGrowth / 2 ** 20).toFixed(1)} MiB`)
  assert.ok(rssGrowth < 128 * 2 ** 20, `RSS grew by ${(rssGrowth / 2 ** 20).toFixed(1)} MiB`)
  tf.dispose([x, ...p.values(), ...target.values(), ...m.values(), ...v2.values()])
})
