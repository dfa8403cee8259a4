/**
 * A manual check, not a test (too slow for CI): trains SimCLR, VICReg and BYOL briefly on real
 * Fashion-MNIST with a small ViT (64/2/2, batch 64) and reports kNN@20 top-1 of the encoder's
 * features (2000 train / 1000 test images) before and after, with the loss and embeddingStd along
 * the way. The numbers in docs/families.md come from:
 *   STEPS=100 ONLY=byol pnpm exec tsx test/ssl/joint-knn-check.ts        (ONLY: simclr | vicreg | byol)
 * Needs the Debian `dataset-fashion-mnist` package and the native backend.
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { decodeOrThrow, fold, keyOf } from '@jepa-ts/core'
import { useBackend } from '@jepa-ts/engine'
import { batchAt, loadFashionMnist, toBatchTensor } from '@jepa-ts/data'
import { knnClassify } from '@jepa-ts/eval'
import { SimclrConfigCodec, simclr, VicregConfigCodec, vicregFamily, ByolConfigCodec, byol } from '@jepa-ts/ssl'
import type { Family, TrainState } from '@jepa-ts/train'
await useBackend('native')
const train = loadFashionMnist('train'); const test = loadFashionMnist('test')
if (E.isLeft(train) || E.isLeft(test)) throw new Error('no data')
const STEPS = Number(process.env.STEPS ?? 60), B = 64
const base = { image: [32, 32, 1], patchSize: 4, encoder: { dim: 64, depth: 2, heads: 2 }, projector: { hidden: 256, out: 64 }, optimizer: { lr: 1e-3, startLr: 1e-4, finalLr: 1e-5, warmupSteps: 10, weightDecay: 0.04, finalWeightDecay: 0.1 } }
const idxTr = Array.from({ length: 2000 }, (_, i) => i), idxTe = Array.from({ length: 1000 }, (_, i) => i)
const feats = (f: Family, s: TrainState, ds: typeof train.right, idx: number[]) => {
  const parts: tf.Tensor2D[] = []
  for (let i = 0; i < idx.length; i += 250) { const x = toBatchTensor(ds, idx.slice(i, i + 250), { padTo: 32 }); parts.push(f.features(s, x)); x.dispose() }
  const out = tf.concat(parts) as tf.Tensor2D; tf.dispose(parts); return out
}
const knn = async (f: Family, s: TrainState) => {
  const a = feats(f, s, train.right, idxTr), b = feats(f, s, test.right, idxTe)
  const r = await knnClassify({ features: a, labels: Int32Array.from(idxTr, (i) => train.right.labels['class']![i]!) }, { features: b, labels: Int32Array.from(idxTe, (i) => test.right.labels['class']![i]!) }, { numClasses: 10 })
  tf.dispose([a, b]); return r
}
const fams: Record<string, Family> = {
  simclr: simclr(decodeOrThrow(SimclrConfigCodec, base), { totalSteps: Math.max(STEPS, 10) }),
  vicreg: vicregFamily(decodeOrThrow(VicregConfigCodec, { ...base, projector: { hidden: 256, out: 256 } }), { totalSteps: Math.max(STEPS, 10) }),
  byol: byol(decodeOrThrow(ByolConfigCodec, { ...base, predictor: { hidden: 256 } }), { totalSteps: Math.max(STEPS, 10) }),
}
for (const [name, f] of Object.entries(fams).filter(([n]) => (process.env.ONLY ?? n) === n)) {
  let s = f.init(keyOf(0))
  const before = await knn(f, s)
  const t0 = Date.now(); const log: string[] = []
  for (let k = 0; k < STEPS; k++) {
    const x = toBatchTensor(train.right, batchAt(keyOf(2), train.right.size, B, k, { dropLast: true }), { padTo: 32 })
    const r = f.step(s, x, fold(keyOf(3), k)); s = r.state; x.dispose()
    if (k % 20 === 0 || k === STEPS - 1) log.push(`${k}:${r.metrics.loss.toFixed(3)}/std${r.metrics['embeddingStd']!.toFixed(3)}`)
  }
  const ms = (Date.now() - t0) / STEPS
  const after = await knn(f, s)
  console.log(name, `${ms.toFixed(0)} ms/step`, log.join(' '), `kNN@20 top-1 init ${before.top1} → trained ${after.top1}`)
}
