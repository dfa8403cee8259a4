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
import { BarlowConfigCodec, barlowFamily } from '@jepa-ts/ssl'
import { demoFlags, readConfigOrExit, runDemo } from './demo.ts'

const flags = demoFlags('examples/configs/barlow-fashion.json')
const config = readConfigOrExit(flags.config, BarlowConfigCodec)
await runDemo(flags, config, (totalSteps) => barlowFamily(config, { totalSteps }))
