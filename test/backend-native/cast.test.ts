import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { activeNativeBackend } from '@jepa-ts/backend-native'
import { setup } from './harness.ts'

test('Cast int32/bool → float32 on native: the cpu values, in a Float32Array store, run natively', async () => {
  await setup()
  await tf.setBackend('native')
  const backend = activeNativeBackend()
  assert.ok(backend !== undefined, 'the native backend is active')
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 40 }), fc.boolean(), (ints, asBool) => {
      const x = asBool ? tf.tensor1d(ints.map((i) => i > 0), 'bool') : tf.tensor1d(ints, 'int32')
      backend.resetStats()
      const y = tf.cast(x, 'float32')
      const store = backend.data.get(y.dataId)?.values
      assert.ok(store instanceof Float32Array, `the float32 result is backed by a Float32Array, got ${store?.constructor.name}`)
      assert.deepEqual(Array.from(y.dataSync()), ints.map((i) => (asBool ? (i > 0 ? 1 : 0) : i)))
      assert.equal(backend.stats.native.get('Cast'), 1, 'Cast ran natively')
      tf.dispose([x, y])
    }),
    { numRuns: 40 },
  )
  const f = tf.tensor1d([1.5, -2.5])
  const i = tf.cast(f, 'int32')
  assert.deepEqual(Array.from(i.dataSync()), [1, -2], 'float32 → int32 still truncates like cpu')
  tf.dispose([f, i])
})
