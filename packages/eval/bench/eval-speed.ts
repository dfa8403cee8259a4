/**
 * How long the evaluation protocol takes at Fashion-MNIST scale on synthetic features:
 * a 10-epoch linear probe on N = 60000, D = 192, 10 classes (batch 256), kNN of `KNN_TEST_ROWS`
 * test rows against the 60000 train rows, RankMe and the collapse monitor of the [60000, 192] matrix.
 *
 *   JEPA_BACKEND=cpu pnpm exec tsx packages/eval/bench/eval-speed.ts   (also: wasm, native, auto)
 *
 * Prints one table row per measurement with wall-clock and CPU seconds (CPU time of this process,
 * threads included: on a shared machine it is the steadier number). `KNN_TEST_ROWS` (default 1000)
 * sets the kNN test size; its cost is linear in it.
 */
import * as tf from '@tensorflow/tfjs'
import { fold, keyOf, normal, randint, useBackend } from '@jepa-ts/core'
import { collapseMonitor, knnClassify, linearProbe, rankMe, type LabeledFeatures } from '@jepa-ts/eval'

const N = 60000
const D = 192
const C = 10
const TEST_ROWS = 10000
const KNN_TEST_ROWS = Number(process.env.KNN_TEST_ROWS ?? 1000)

const blobs = (seed: number, rows: number): LabeledFeatures => {
  const key = keyOf(seed)
  const centres = normal(fold(keyOf(0), 'centres'), C * D).map((x) => 0.3 * x)
  const values = normal(fold(key, 'noise'), rows * D)
  const labels = new Int32Array(rows)
  for (let i = 0; i < rows; i++) {
    const c = randint(fold(key, i), 0, C)
    labels[i] = c
    for (let j = 0; j < D; j++) values[i * D + j] = values[i * D + j]! + centres[c * D + j]!
  }
  return { features: { values, shape: [rows, D] }, labels }
}

const info = await useBackend()
const train = blobs(1, N)
const test = blobs(2, TEST_ROWS)
/** The result, wall seconds and the seconds of CPU this process used (the fairer number on a shared machine). */
const seconds = async <T>(f: () => Promise<T>): Promise<[T, string]> => {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  const r = await f()
  const c = process.cpuUsage(c0)
  return [r, `${((performance.now() - t0) / 1000).toFixed(1)} | ${((c.user + c.system) / 1e6).toFixed(1)}`]
}
console.log(`backend ${info.name}${info.notice ? ` (${info.notice})` : ''}, N = ${N}, D = ${D}, C = ${C}`)
console.log('| measurement | wall s | CPU s | result |\n|---|---:|---:|---|')
const [probe, tProbe] = await seconds(() => linearProbe(train, test, { numClasses: C, epochs: 10, batchSize: 256, lr: 1e-3, weightDecay: 5e-4, key: keyOf(0) }))
console.log(`| linear probe, 10 epochs, batch 256 (${Math.ceil(N / 256)} steps/epoch) | ${tProbe} | top-1 ${(100 * probe.top1).toFixed(1)}%, train ${(100 * probe.trainTop1).toFixed(1)}% |`)
const knnTest: LabeledFeatures = { features: { values: (test.features as { values: Float32Array }).values.subarray(0, KNN_TEST_ROWS * D), shape: [KNN_TEST_ROWS, D] }, labels: test.labels.subarray(0, KNN_TEST_ROWS) }
const [knn, tKnn] = await seconds(() => knnClassify(train, knnTest, { numClasses: C }))
console.log(`| kNN k = 20, ${KNN_TEST_ROWS} test rows × ${N} train rows | ${tKnn} | top-1 ${(100 * knn.top1).toFixed(1)}% |`)
const [rank, tRank] = await seconds(() => rankMe(train.features))
console.log(`| RankMe of [${N}, ${D}] | ${tRank} | ${rank.toFixed(1)} |`)
const [std, tStd] = await seconds(() => collapseMonitor(train.features))
console.log(`| collapse monitor of [${N}, ${D}] | ${tStd} | ${std.toFixed(4)} (1/√D = ${(1 / Math.sqrt(D)).toFixed(4)}) |`)
console.log(`live tensors after: ${tf.memory().numTensors}`)
