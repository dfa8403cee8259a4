/**
 * The toy run the loop tests share: 24 random 8×8×1 images (a fixed key) and a linear autoencoder
 * over them (width 4 by default, 20-step schedule with 2 warm-up steps).
 */
import { keyOf, uniform } from '@jepa-ts/core'
import type { ImageDataset } from '@jepa-ts/data'
import { type Family, linearAutoencoder } from '@jepa-ts/train'

export const toyDataset: ImageDataset = {
  name: 'toy-8x8',
  height: 8,
  width: 8,
  channels: 1,
  size: 24,
  images: Uint8Array.from(uniform(keyOf(7), 24 * 64), (u) => Math.floor(u * 256)),
  labels: {},
  classNames: {},
}

export const toyFamily = (width = 4): Family => linearAutoencoder({ imageDims: [8, 8, 1], width, lr: 1e-2, weightDecay: 0.05, warmupSteps: 2, totalSteps: 20 })
