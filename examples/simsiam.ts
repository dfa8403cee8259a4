/**
 * SimSiam (Chen & He 2021, https://arxiv.org/abs/2011.10566, §3) on Fashion-MNIST, as the family
 * declares it (packages/ssl/src/families/simsiam.ts on the joint skeleton, joint.ts):
 *
 *   "two augmented views x1, x2 of an image x"               twoViews(viewPipeline(config.views)) from stream(key, 'augment')
 *   "encoder f (backbone + projection MLP), predictor h"     ViT (average-pooled) → projector; predictor with a bottleneck
 *   "D(p1, stopgrad(z2)) with D = negative cosine"            z1, z2 from the SAME params, computed OUTSIDE the tape
 *   "L = ½ D(p1, z2) + ½ D(p2, z1)"                           simsiamObjective; no EMA, no negatives
 *   optimizer                                               AdamW, warmup-cosine lr, cosine weight decay
 *
 * Run:  pnpm exec tsx examples/simsiam.ts [--config examples/configs/simsiam-fashion.json] [--steps 20]
 *       [--batch 32] [--backend auto|native|wasm|cpu]
 * Fashion-MNIST is used when installed (Debian `dataset-fashion-mnist`), else synthetic shapes; 28×28
 * images are padded to the config's 32×32.
 */
import { SimsiamConfigCodec, simsiam } from '@jepa-ts/ssl'
import { demoFlags, readConfigOrExit, runDemo } from './demo.ts'

const flags = demoFlags('examples/configs/simsiam-fashion.json')
const config = readConfigOrExit(flags.config, SimsiamConfigCodec)
await runDemo(flags, config, (totalSteps) => simsiam(config, { totalSteps }))
