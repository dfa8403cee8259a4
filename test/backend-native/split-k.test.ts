/**
 * A single matmul whose k dwarfs m and n (a weight gradient: xᵀ·dy over every token of the batch)
 * is split along k over the addon's pool (packages/backend-native/native/gemm.cc `splitK`: k ≥ 16·max(m, n), ≥ 1024 deep
 * per thread). Law: for every transpose combination, thread counts 2 and 3 (k not divisible by
 * either) and the shapes on both sides of the threshold, the result equals tfjs's cpu matMul
 * within float32 summation tolerance.
 */
import { test } from 'node:test'
import * as tf from '@tensorflow/tfjs'
import { setThreads, threadBudget } from '@jepa-ts/backend-native'
import { assertClose, assertNative, onBoth, values } from './harness.ts'

test('split-k matMul (k ≫ m, n) agrees with cpu for every transpose and thread count', async () => {
  try {
    for (const threads of [2, 3]) {
      setThreads(threads)
      for (const [m, n, k] of [[5, 7, 4099], [24, 40, 6151], [3, 1, 3077], [40, 24, 500]] as const) {
        for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
          const a = values(m * k, m + k, 1)
          const b = values(k * n, n + k + 1, 1)
          const r = await onBoth(() => tf.matMul(tf.tensor(a, ta ? [k, m] : [m, k]), tf.tensor(b, tb ? [n, k] : [k, n]), ta, tb))
          assertClose(r.native[0]!, r.cpu[0]!, 1e-4, 2e-5 * k, `matMul m ${m} n ${n} k ${k} ta ${ta} tb ${tb}, ${threads} threads`)
          assertNative(r, 'BatchMatMul')
        }
      }
    }
  } finally {
    setThreads(threadBudget())
  }
})
