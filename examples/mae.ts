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
import { MaeConfigCodec, mae } from '@jepa-ts/ssl'
import { demoFlags, readConfigOrExit, runDemo } from './demo.ts'

const flags = demoFlags('examples/configs/mae-fashion.json')
const config = readConfigOrExit(flags.config, MaeConfigCodec)
await runDemo(flags, config, (totalSteps) => mae(config, { totalSteps }))
