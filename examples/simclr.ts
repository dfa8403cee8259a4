/**
 * SimCLR (Chen et al. 2020, https://arxiv.org/abs/2002.05709, §2.1) on Fashion-MNIST, as the family
 * declares it (packages/ssl/src/families/simclr.ts on the joint skeleton, joint.ts):
 *
 *   "two correlated views x̃i, x̃j of the same example"     twoViews(viewPipeline(config.views)) from stream(key, 'augment'):
 *                                                           random resized crop, flip, brightness/contrast, blur, noise
 *   "a base encoder f(·) ... h = f(x̃)"                     the ViT, tokens average-pooled (no CLS token)
 *   "a small projection head g(·) ... z = g(h)"             Linear → GELU → Linear (no BatchNorm; see joint.ts)
 *   "a contrastive loss: identify x̃j among {x̃k} for x̃i"   ntXent(z1, z2, { temperature }), 2N − 2 negatives per row
 *   optimizer                                               AdamW, warmup-cosine lr, cosine weight decay
 *
 * Run:  pnpm exec tsx examples/simclr.ts [--config examples/configs/simclr-fashion.json] [--steps 20]
 *       [--batch 32] [--backend auto|native|wasm|cpu]
 * Fashion-MNIST is used when installed (Debian `dataset-fashion-mnist`), else synthetic shapes; 28×28
 * images are padded to the config's 32×32.
 */
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type BackendChoice, fold, keyOf, readJsonConfig, useBackend } from '@jepa-ts/core'
import { batchAt, loadDefaultDataset, toBatchTensor } from '@jepa-ts/data'
import { SimclrConfigCodec, simclr } from '@jepa-ts/ssl'

const { values: args } = parseArgs({
  options: {
    config: { type: 'string', default: 'examples/configs/simclr-fashion.json' },
    steps: { type: 'string', default: '20' },
    batch: { type: 'string', default: '32' },
    backend: { type: 'string', default: 'auto' },
  },
})

const decoded = readJsonConfig(args.config, SimclrConfigCodec)
if (E.isLeft(decoded)) throw new Error(decoded.left.format())
const config = decoded.right
const backend = await useBackend(args.backend as BackendChoice)
const steps = Number(args.steps)
const batchSize = Number(args.batch)
const data = loadDefaultDataset('train', { key: keyOf(0) })
if (E.isLeft(data)) throw new Error(data.left.message)
console.log(`${data.right.note}; backend ${backend.name}`)
// The schedules are planned for the whole run; a short demo run still plans past the warmup.
const family = simclr(config, { totalSteps: Math.max(steps, config.optimizer.warmupSteps) })
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
