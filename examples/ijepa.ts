/**
 * I-JEPA (Assran et al. 2023, https://arxiv.org/abs/2301.08243, §3) on Fashion-MNIST, as the family
 * declares it. The method section, line by line, and where each line lives:
 *
 *   "a context block is sampled, and 4 target blocks"          maskCollator(config.masks) with stream(key, 'mask')
 *   "targets: the target encoder's output at the block positions" forwardTarget: EMA encoder on the full image,
 *                                                                  layer norm (no affine), gatherBlocks
 *   "context: the context encoder sees only the context patches"  forwardContext: encode(v, θ, x, ctx, contextIdx)
 *   "the predictor, conditioned on mask tokens with positions"    predict(predictor, θ, z, contextIdx, targetIdx)
 *   "loss: average distance between predictions and targets"      smoothL1 (reference) or l2 (paper text)
 *   "θ by gradient descent, θ̄ by EMA of θ"                        AdamW (warmup-cosine lr, cosine wd) + emaUpdate
 *
 * Run:  pnpm exec tsx examples/ijepa.ts [--config examples/configs/ijepa-fashion.json] [--steps 20]
 *       [--batch 32] [--backend auto|native|wasm|cpu] [--measure-masks]
 * Fashion-MNIST is used when installed (Debian `dataset-fashion-mnist`), else synthetic shapes.
 * `--measure-masks` prints the context/target token counts the config's masks give (docs/families.md).
 */
import * as E from 'fp-ts/lib/Either.js'
import { fold, keyOf } from '@jepa-ts/core'
import { maskCollator, grid } from '@jepa-ts/masks'
import { IjepaConfigCodec, checkMasksOnGrid, ijepa, patchGrid } from '@jepa-ts/ssl'
import { demoFlags, readConfigOrExit, runDemo } from './demo.ts'

const flags = demoFlags('examples/configs/ijepa-fashion.json')
const config = readConfigOrExit(flags.config, IjepaConfigCodec, (c) => checkMasksOnGrid(c, ''))

if (flags.measureMasks) {
  const [h, w] = patchGrid(config)
  const collate = maskCollator(config.masks, grid(h, w))
  if (E.isLeft(collate)) throw new Error(collate.left.format())
  const batches = 50
  let context = 0, target = 0, before = 0
  for (let i = 0; i < batches; i++) {
    const m = collate.right(fold(keyOf(0), i), 64)
    context += m.contextIdx.shape[1]
    target += m.targetIdx[0]!.shape[1]
    before += m.countsBeforeCut.context.reduce((a, b) => a + b, 0) / 64
  }
  console.log(`${h}×${w} grid, ${config.masks.strategy}: context ${(context / batches).toFixed(1)} tokens after the cut (${(before / batches).toFixed(1)} before), ${(target / batches).toFixed(1)} per target block (batch 64, ${batches} batches)`)
  process.exit(0)
}

await runDemo(flags, config, (totalSteps) => ijepa(config, { totalSteps }))
