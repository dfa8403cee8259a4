/** Shared tiny MAE setup for the MAE tests (not a test file itself). */
import type { MaeConfigInput } from '@jepa-ts/ssl'

/** 16×16×1, patch 4 → 4×4 grid (4 visible tokens at 75%); encoder 16/1/2, decoder 16/1/2; constant lr 1e-2, no wd. */
export const tinyMaeInput: MaeConfigInput = {
  image: [16, 16, 1],
  patchSize: 4,
  encoder: { dim: 16, depth: 1, heads: 2 },
  decoder: { dim: 16, depth: 1, heads: 2 },
  maskRatio: 0.75,
  normPix: true,
  optimizer: { lr: 1e-2, startLr: 1e-2, finalLr: 1e-2, warmupSteps: 0, weightDecay: 0 },
}
