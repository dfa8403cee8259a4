/**
 * Does the wasm BatchMatMul wrapper (explicit transposes instead of transpose flags) pay off?
 * Times forward + backward of y = x·Wᵀ (PyTorch weight layout, as `linear` uses) on the wasm
 * backend, stock kernel vs our wrapper, same process, alternating runs. Prints a table.
 *
 *   pnpm exec tsx bench/wasm-matmul.ts [rows=1024] [in=192] [out=768] [reps=10]
 */
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { installWasmFixes } from '@jepa-ts/engine'

const [rows = 1024, inDim = 192, outDim = 768, reps = 10] = process.argv.slice(2).map(Number)
await tf.setBackend('wasm')
const stock = tf.getKernel('BatchMatMul', 'wasm')!
installWasmFixes()
const fixed = tf.getKernel('BatchMatMul', 'wasm')!
const use = (k: typeof stock): void => {
  tf.unregisterKernel('BatchMatMul', 'wasm')
  tf.registerKernel(k)
}

const x = tf.randomNormal([rows, inDim], 0, 1, 'float32', 1)
const w = tf.randomNormal([outDim, inDim], 0, 0.02, 'float32', 2)
const step = (): void => {
  tf.tidy(() => {
    const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, false, true).square().mean())([x, w])
    gx!.dataSync()
    gw!.dataSync()
  })
}
const time = (k: typeof stock): number => {
  use(k)
  step()
  const t0 = performance.now()
  for (let i = 0; i < reps; i++) step()
  return (performance.now() - t0) / reps
}
const runs: Array<[number, number]> = []
for (let r = 0; r < 3; r++) runs.push([time(stock), time(fixed)])
const median = (a: number[]): number => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!
const s = median(runs.map((r) => r[0]))
const f = median(runs.map((r) => r[1]))
const flops = 3 * 2 * rows * inDim * outDim
console.log(`wasm, x [${rows}, ${inDim}] · Wᵀ [${outDim}, ${inDim}], forward + backward, median of 3 × ${reps}`)
console.log('| kernel | ms / step | GFLOP/s | ratio |')
console.log('|---|---:|---:|---:|')
console.log(`| stock (transpose flags) | ${s.toFixed(1)} | ${(flops / s / 1e6).toFixed(2)} | 1.00 |`)
console.log(`| wrapped (explicit transposes) | ${f.toFixed(1)} | ${(flops / f / 1e6).toFixed(2)} | ${(s / f).toFixed(2)}× faster |`)
