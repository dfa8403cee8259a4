/**
 * MAE (He et al. 2021, https://arxiv.org/abs/2111.06377, §3) on Fashion-MNIST, as the family declares
 * it. The method section, line by line, and where each line lives:
 *
 *   "random sampling of patches without replacement, 75% removed"   randomMasking(stream(key, 'mask'), B, L, 0.75)
 *   "the encoder is applied only on visible, unmasked patches"      encode(v, θ.encoder, x, ctx, idsKeep)
 *   "the decoder input: encoded visible patches and mask tokens,    maeDecode: Linear D→Dd, append mask tokens,
 *    with positional embeddings added to all tokens"                 unshuffle by idsRestore (a gather), sin-cos pos-embed
 *   "a lightweight decoder; the last layer is a linear projection"  blocks, norm, Linear Dd→p²·C
 *   "MSE on masked patches, per-patch normalized pixel targets"     maeLoss(pred, patchify(x), mask, { normPix })
 *   AdamW β = (0.9, 0.95), wd 0.05, warmup + cosine lr              optimizerStep with maeDecays
 *
 * Run:  pnpm exec tsx examples/mae.ts [--config examples/configs/mae-fashion.json] [--steps 20] [--batch 32]
 *       [--backend auto|native|wasm|cpu]
 */
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type BackendChoice, fold, keyOf, readJsonConfig, useBackend } from '@jepa-ts/core'
import { batchAt, loadDefaultDataset, toBatchTensor } from '@jepa-ts/data'
import { MaeConfigCodec, mae } from '@jepa-ts/ssl'

const { values: args } = parseArgs({
  options: {
    config: { type: 'string', default: 'examples/configs/mae-fashion.json' },
    steps: { type: 'string', default: '20' },
    batch: { type: 'string', default: '32' },
    backend: { type: 'string', default: 'auto' },
  },
})

const decoded = readJsonConfig(args.config, MaeConfigCodec)
if (E.isLeft(decoded)) throw new Error(decoded.left.format())
const config = decoded.right
const backend = await useBackend(args.backend as BackendChoice)
const [steps, batchSize] = [Number(args.steps), Number(args.batch)]
const data = loadDefaultDataset('train', { key: keyOf(0) })
if (E.isLeft(data)) throw new Error(data.left.message)
console.log(`${data.right.note}; backend ${backend.name}`)
const family = mae(config, { totalSteps: Math.max(steps, config.optimizer.warmupSteps) })
let state = family.init(keyOf(1))
for (let k = 0; k < steps; k++) {
  const images = toBatchTensor(data.right.dataset, batchAt(keyOf(2), data.right.dataset.size, batchSize, k, { dropLast: true }), { padTo: config.image[0] })
  const r = family.step(state, images, fold(keyOf(3), k))
  state = r.state
  images.dispose()
  console.log(`step ${k}: ${Object.entries(r.metrics).map(([name, v]) => `${name} ${+v.toPrecision(4)}`).join(', ')}`)
}
console.log(`live tensors ${tf.memory().numTensors}`)
