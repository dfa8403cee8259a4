/**
 * VICReg (Bardes et al. 2022, https://arxiv.org/abs/2105.04906, §3) on Fashion-MNIST, as the family
 * declares it (packages/ssl/src/families/vicreg.ts on the joint skeleton, joint.ts):
 *
 *   "two views x, x' from the distribution T"               twoViews(viewPipeline(config.views)) from stream(key, 'augment')
 *   "the encoder f_θ ... representations y, y'"             the ViT, tokens average-pooled
 *   "the expander h_φ ... embeddings z, z'"                 Linear → GELU → Linear (the paper's 3-layer BN expander, shortened)
 *   "ℓ = λ s(Z, Z') + μ [v(Z) + v(Z')] + ν [c(Z) + c(Z')]"   vicreg(z1, z2, 25 / 25 / 1); the three terms are logged
 *   optimizer                                               AdamW, warmup-cosine lr, cosine weight decay
 *
 * Run:  pnpm exec tsx examples/vicreg.ts [--config examples/configs/vicreg-fashion.json] [--steps 20]
 *       [--batch 32] [--backend auto|native|wasm|cpu]
 * Fashion-MNIST is used when installed (Debian `dataset-fashion-mnist`), else synthetic shapes; 28×28
 * images are padded to the config's 32×32.
 */
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type BackendChoice, fold, keyOf, readJsonConfig, useBackend } from '@jepa-ts/core'
import { batchAt, loadDefaultDataset, toBatchTensor } from '@jepa-ts/data'
import { VicregConfigCodec, vicregFamily } from '@jepa-ts/ssl'

const { values: args } = parseArgs({
  options: {
    config: { type: 'string', default: 'examples/configs/vicreg-fashion.json' },
    steps: { type: 'string', default: '20' },
    batch: { type: 'string', default: '32' },
    backend: { type: 'string', default: 'auto' },
  },
})

const decoded = readJsonConfig(args.config, VicregConfigCodec)
if (E.isLeft(decoded)) throw new Error(decoded.left.format())
const config = decoded.right
const backend = await useBackend(args.backend as BackendChoice)
const steps = Number(args.steps)
const batchSize = Number(args.batch)
const data = loadDefaultDataset('train', { key: keyOf(0) })
if (E.isLeft(data)) throw new Error(data.left.message)
console.log(`${data.right.note}; backend ${backend.name}`)
// The schedules are planned for the whole run; a short demo run still plans past the warmup.
const family = vicregFamily(config, { totalSteps: Math.max(steps, config.optimizer.warmupSteps) })
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
