/**
 * Barlow Twins (Zbontar et al. 2021, https://arxiv.org/abs/2103.03230, §2) on Fashion-MNIST, as the
 * family declares it (packages/ssl/src/families/barlow.ts on the joint skeleton, joint.ts):
 *
 *   "two distorted views Y_A, Y_B of a batch X"             twoViews(viewPipeline(config.views)) from stream(key, 'augment')
 *   "fed to a function f_θ (network + projector) → Z_A, Z_B" the ViT, average-pooled, then Linear → GELU → Linear
 *   "C: cross-correlation along the batch dimension"         barlowTwins standardizes each view over the batch (BN, no affine)
 *   "L = Σ_i (1 − C_ii)² + λ Σ_i Σ_{j≠i} C_ij²"             barlowTwins(z1, z2, { lambda: 5e-3 })
 *   optimizer                                               AdamW, warmup-cosine lr, cosine weight decay
 *
 * Run:  pnpm exec tsx examples/barlow.ts [--config examples/configs/barlow-fashion.json] [--steps 20]
 *       [--batch 32] [--backend auto|native|wasm|cpu]
 * Fashion-MNIST is used when installed (Debian `dataset-fashion-mnist`), else synthetic shapes; 28×28
 * images are padded to the config's 32×32.
 */
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type BackendChoice, fold, keyOf, readJsonConfig, useBackend } from '@jepa-ts/core'
import { batchAt, loadDefaultDataset, toBatchTensor } from '@jepa-ts/data'
import { BarlowConfigCodec, barlowFamily } from '@jepa-ts/ssl'

const { values: args } = parseArgs({
  options: {
    config: { type: 'string', default: 'examples/configs/barlow-fashion.json' },
    steps: { type: 'string', default: '20' },
    batch: { type: 'string', default: '32' },
    backend: { type: 'string', default: 'auto' },
  },
})

const decoded = readJsonConfig(args.config, BarlowConfigCodec)
if (E.isLeft(decoded)) throw new Error(decoded.left.format())
const config = decoded.right
const backend = await useBackend(args.backend as BackendChoice)
const steps = Number(args.steps)
const batchSize = Number(args.batch)
const data = loadDefaultDataset('train', { key: keyOf(0) })
if (E.isLeft(data)) throw new Error(data.left.message)
console.log(`${data.right.note}; backend ${backend.name}`)
// The schedules are planned for the whole run; a short demo run still plans past the warmup.
const family = barlowFamily(config, { totalSteps: Math.max(steps, config.optimizer.warmupSteps) })
let state = family.init(keyOf(1))
for (let k = 0; k < steps; k++) {
  const idx = batchAt(keyOf(2), data.right.dataset.size, batchSize, k, { dropLast: true })
  const images = toBatchTensor(data.right.dataset, idx, { padTo: config.image[0] })
  const r = family.step(state, images, fold(keyOf(3), k))
  state = r.state
  images.dispose()
  console.log(`step ${k}: ${Object.entries(r.metrics).map(([name, v]) => `${name} ${+v.toPrecision(4)}`).join(', ')}`)
}
console.log(`live tensors ${tf.memory().numTensors}`)
