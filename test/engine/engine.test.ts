import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { useBackend, parseBackendChoice, type BackendChoice } from '@jepa-ts/engine'
import { keyOf, initOrThrow, serial, named, residual, flatten, unflatten, normal } from '@jepa-ts/core'
import { dense } from '../core/helpers.ts'

/** Gradients of sum(matMul(a, b, tA, tB)²) and of a gather, as host arrays, on the active backend. */
const gradsOn = (a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], tA: boolean, tB: boolean, idx: Int32Array) => {
  const at = tf.tensor(a, aShape)
  const bt = tf.tensor(b, bShape)
  const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, tA, tB).square().sum())([at, bt])
  const gg = tf.grad((x: tf.Tensor) => tf.gather(x, tf.tensor1d(idx, 'int32')).mul(tf.range(1, idx.length + 1).reshape([idx.length, 1])).sum())(at.reshape([-1, aShape[aShape.length - 1]!]))
  const out = [...g.map((t) => Array.from(t.dataSync())), Array.from(gg.dataSync())]
  tf.dispose([at, bt, ...g, gg])
  return out
}

test('wasm gradients of matmul (every transpose combination, batched) and gather agree with cpu', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }),
      fc.boolean(), fc.boolean(), fc.nat(),
      async (batch, m, k, n, tA, tB, seed) => {
        const aShape = [batch, ...(tA ? [k, m] : [m, k])]
        const bShape = [batch, ...(tB ? [n, k] : [k, n])]
        const a = normal(keyOf(seed), batch * m * k)
        const b = normal(keyOf(seed + 1), batch * k * n)
        const rows = aShape.slice(0, -1).reduce((x, y) => x * y, 1)
        const idx = Int32Array.from({ length: 5 }, (_, i) => (seed + i * 7) % rows)
        await tf.setBackend('cpu')
        const ref = gradsOn(a, aShape, b, bShape, tA, tB, idx)
        await useBackend('wasm')
        const got = gradsOn(a, aShape, b, bShape, tA, tB, idx)
        ref.forEach((r, i) => r.forEach((v, j) => assert.ok(Math.abs(v - got[i]![j]!) <= 1e-3 * (1 + Math.abs(v)), `grad ${i}[${j}]: cpu ${v} wasm ${got[i]![j]}`)))
      },
    ),
    { numRuns: 30 },
  )
  await tf.setBackend('cpu')
})

/** One SGD step over a param tree; returns the new tree and disposes the old one. */
const sgdStep = (model: ReturnType<typeof serial>, params: ReturnType<typeof initOrThrow>['params'], x: tf.Tensor) => {
  const leaves = flatten(params)
  const next = tf.tidy(() => {
    const gs = tf.grads((...ws: tf.Tensor[]) => {
      const p = unflatten(leaves.map(([path], i) => [path, ws[i]!] as const))
      return (model.apply(p, x as never, { key: keyOf(0), training: false }) as tf.Tensor).square().mean()
    })(leaves.map(([, t]) => t))
    return leaves.map(([path, t], i) => [path, tf.sub(t, tf.mul(gs[i]!, 0.01))] as const)
  })
  leaves.forEach(([, t]) => t.dispose())
  return unflatten(next)
}

for (const backend of ['cpu', 'wasm'] as const satisfies readonly BackendChoice[]) {
  test(`live tensor count is flat across training steps (${backend})`, async () => {
    await useBackend(backend)
    const model = serial(dense(8, 16, 'fc1'), named('block', residual(dense(16, 16))), dense(16, 4, 'fc2'))
    let { params } = initOrThrow(model, keyOf(1), [4, 8])
    const x = tf.randomNormal([4, 8], 0, 1, 'float32', 5)
    params = sgdStep(model, params, x)
    const before = tf.memory().numTensors
    for (let i = 0; i < 10; i++) params = sgdStep(model, params, x)
    assert.equal(tf.memory().numTensors, before)
    tf.dispose([x, ...flatten(params).map(([, t]) => t)])
    await tf.setBackend('cpu')
  })
}

test('backend choices: explicit cpu works, auto reports why it skipped faster ones, junk is named', async () => {
  assert.deepEqual(await useBackend('cpu'), { name: 'cpu' })
  const auto = await useBackend('auto')
  assert.ok(['native', 'wasm', 'cpu'].includes(auto.name))
  if (auto.name !== 'native') assert.match(auto.notice ?? '', /native backend unavailable \(.+\)/)
  assert.deepEqual(parseBackendChoice('gpu'), { error: 'unknown backend "gpu": expected one of auto, native, wasm, cpu, webgpu, tensorflow' })
  await assert.rejects(useBackend('gpu' as BackendChoice), /unknown backend "gpu"/)
  await tf.setBackend('cpu')
})
