/** Shared tiny I-JEPA setup for the I-JEPA and variant tests (not a test file itself). */
import * as tf from '@tensorflow/tfjs'
import { fold, keyOf } from '@jepa-ts/core'
import type { Family } from '@jepa-ts/train'
import type { IjepaConfigInput } from '@jepa-ts/ssl'

/**
 * 16×16×1, patch 4 → 4×4 grid; dim 16, depth 1. Masks: the corrected multi-block rule with 2 targets
 * of scale (0.2, 0.3) (3–4 tokens each on 16 tokens) and minKeep 2, so context and targets are both
 * non-trivial on this tiny grid. Constant lr 3e-3, no weight decay, no warmup: a learning check.
 */
export const tinyIjepaInput: IjepaConfigInput = {
  image: [16, 16, 1],
  patchSize: 4,
  encoder: { dim: 16, depth: 1, heads: 2 },
  predictor: { dim: 16, depth: 1 },
  masks: { strategy: 'multi-block-corrected', nTargets: 2, targetScale: [0.2, 0.3], targetAspect: [0.75, 1.5], contextScale: [0.85, 1], contextAspect: [1, 1], minKeep: 2, allowOverlap: false, triesPerRelaxation: 20 },
  energy: 'smoothL1',
  optimizer: { lr: 3e-3, startLr: 3e-3, finalLr: 3e-3, warmupSteps: 0, weightDecay: 0, finalWeightDecay: 0 },
  ema: [0.996, 1],
}

/** A fixed batch of smooth random images (seeded), [B, 16, 16, 1]. */
export const fixedImages = (b: number): tf.Tensor4D =>
  tf.tidy(() => tf.image.resizeBilinear(tf.randomUniform([b, 4, 4, 1], 0, 1, 'float32', 42) as tf.Tensor4D, [16, 16]))

/** Trains `steps` steps on one fixed batch with one fixed key; loss of the first and last step. */
export const learns = (family: Family, steps: number, batch = 8): { readonly first: number; readonly last: number; readonly losses: number[] } => {
  const images = fixedImages(batch)
  let state = family.init(keyOf(1))
  const losses: number[] = []
  for (let i = 0; i < steps; i++) {
    const r = family.step(state, images, fold(keyOf(2), 0))
    state = r.state
    losses.push(r.metrics.loss)
  }
  images.dispose()
  return { first: losses[0]!, last: losses[losses.length - 1]!, losses }
}
