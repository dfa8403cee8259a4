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
import { VicregConfigCodec, vicregFamily } from '@jepa-ts/ssl'
import { demoFlags, readConfigOrExit, runDemo } from './demo.ts'

const flags = demoFlags('examples/configs/vicreg-fashion.json')
const config = readConfigOrExit(flags.config, VicregConfigCodec)
await runDemo(flags, config, (totalSteps) => vicregFamily(config, { totalSteps }))
