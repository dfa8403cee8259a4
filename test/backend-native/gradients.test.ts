/**
 * Gradients of a whole training step agree across backends: the ViT-block step (2 pre-norm
 * blocks, loss mean(x²)) differentiated w.r.t. every weight on `native` with the fused kernels,
 * on `native` with stock ops, on `cpu` and on `wasm` — all within float32 tolerance of the cpu
 * reference, parameter by parameter.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { initParams, lossAndGrads, type BlockConfig } from '../../bench/vit-block-model.ts'
import { assertClose, setup } from './harness.ts'

const C: BlockConfig = { batch: 2, tokens: 10, dim: 24, heads: 3, depth: 2 }

interface StepResult {
  readonly loss: number
  readonly grads: Map<string, Float32Array>
}

const stepOn = async (backend: string, fused: boolean): Promise<StepResult> => {
  await setup()
  assert.ok(await tf.setBackend(backend), `backend ${backend} initializes`)
  const p = initParams(C, 11)
  const x = tf.randomNormal([C.batch, C.tokens, C.dim], 0, 1, 'float32', 13)
  const { loss, grads } = lossAndGrads(p, x, C, fused)
  const out: StepResult = { loss: loss.dataSync()[0]!, grads: new Map([...grads].map(([k, g]) => [k, Float32Array.from(g.dataSync())])) }
  tf.dispose([loss, x, ...grads.values(), ...p.values()])
  return out
}

test('ViT-block step gradients agree: native (fused), native (stock ops), wasm vs cpu', async () => {
  const ref = await stepOn('cpu', false)
  assert.equal(ref.grads.size, 12 * C.depth)
  for (const [backend, fused] of [['native', true], ['native', false], ['wasm', false], ['wasm', true]] as const) {
    const r = await stepOn(backend, fused)
    assert.ok(Math.abs(r.loss - ref.loss) <= 1e-4 * Math.abs(ref.loss), `${backend}${fused ? ' fused' : ''} loss ${r.loss} vs ${ref.loss}`)
    for (const [name, g] of ref.grads) {
      const got = r.grads.get(name)
      assert.ok(got !== undefined, `${name} has a gradient on ${backend}`)
      const scale = g.reduce((m, v) => Math.max(m, Math.abs(v)), 0)
      assertClose(got, g, 1e-3, 1e-3 * scale + 1e-7, `${backend}${fused ? ' fused' : ''} d${name}`)
    }
  }
  await tf.setBackend('native')
})
