/**
 * BYOL (Grill et al. 2020, https://arxiv.org/abs/2006.07733, §3.1) on Fashion-MNIST, as the family
 * declares it (packages/ssl/src/families/byol.ts on the joint skeleton, joint.ts):
 *
 *   "two augmented views v = t(x), v' = t'(x)"               twoViews(viewPipeline(config.views)) from stream(key, 'augment')
 *   "online network: representation y_θ, projection z_θ,     ViT (average-pooled) → projector → predictor, all in params
 *    prediction q_θ(z_θ)"
 *   "target network: y'_ξ, z'_ξ, no predictor"               target = { encoder, projector }, evaluated OUTSIDE the tape
 *   "L = ‖q̄_θ(z_θ) − z̄'_ξ‖² symmetrized (= 2 − 2·cos)"        byolLoss(p1, z'2) + byolLoss(p2, z'1)
 *   "ξ ← τξ + (1 − τ)θ, τ = 1 − (1 − τ_base)(cos(πk/K) + 1)/2" emaOver(['encoder', 'projector'])(byolMomentum(k))
 *   optimizer                                               AdamW, warmup-cosine lr, cosine weight decay
 *
 * Run:  pnpm exec tsx examples/byol.ts [--config examples/configs/byol-fashion.json] [--steps 20]
 *       [--batch 32] [--backend auto|native|wasm|cpu]
 * Fashion-MNIST is used when installed (Debian `dataset-fashion-mnist`), else synthetic shapes; 28×28
 * images are padded to the config's 32×32.
 */
import { ByolConfigCodec, byol } from '@jepa-ts/ssl'
import { demoFlags, readConfigOrExit, runDemo } from './demo.ts'

const flags = demoFlags('examples/configs/byol-fashion.json')
const config = readConfigOrExit(flags.config, ByolConfigCodec)
await runDemo(flags, config, (totalSteps) => byol(config, { totalSteps }))
