/**
 * Horizontal flip: `[B, H, W, C] → [B, H, W, C]`, column w ↦ W − 1 − w. Deterministic (the key is
 * unused); `randomFlip(p)` = `withProbability(p, flipHorizontal)`. Law: flipping twice is the identity.
 */
import * as tf from '@tensorflow/tfjs'
import { type Augment, withProbability } from './augment.ts'

/** Mirrors every image left–right. */
export const flipHorizontal: Augment = (_key, images) => tf.reverse(images, 2)

/** Mirrors each image with probability p (torchvision `RandomHorizontalFlip`, default p = 0.5). */
export const randomFlip = (p = 0.5): Augment => withProbability(p, flipHorizontal)
