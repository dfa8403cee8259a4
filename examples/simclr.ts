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
import { SimclrConfigCodec, simclr } from '@jepa-ts/ssl'
import { demoFlags, readConfigOrExit, runDemo } from './demo.ts'

const flags = demoFlags('examples/configs/simclr-fashion.json')
const config = readConfigOrExit(flags.config, SimclrConfigCodec)
await runDemo(flags, config, (totalSteps) => simclr(config, { totalSteps }))
