/**
 * Additive Gaussian noise: x ↦ clip(x + σ·n), n ~ N(0, 1) per pixel, drawn on the host from
 * `fold(key, b)` for image b (core's Box–Muller `normal`, never tfjs's unseeded randomness).
 * σ = 0 is the identity on in-range images; clipping keeps values in `range` (default [0, 1]).
 */
import * as tf from '@tensorflow/tfjs'
import { fold, normal } from '@jepa-ts/core'
import type { Augment } from './augment.ts'

/** Options of `gaussianNoise`. */
export interface GaussianNoiseOptions {
  /** Standard deviation σ ≥ 0 of the noise. */
  readonly std: number
  /** Value range to clip to (default [0, 1]). */
  readonly range?: readonly [number, number]
}

/** Adds N(0, σ²) noise to every pixel, then clips. */
export const gaussianNoise = (options: GaussianNoiseOptions): Augment => {
  const { std } = options
  const [lo, hi] = options.range ?? [0, 1]
  if (!(std >= 0 && Number.isFinite(std))) throw new RangeError(`gaussianNoise: std must be a finite number ≥ 0, got ${std}`)
  return (key, images) => {
    const [B, H, W, C] = images.shape
    const n = H * W * C
    const noise = new Float32Array(B * n)
    for (let b = 0; b < B; b++) noise.set(normal(fold(key, b), n), b * n)
    return tf.tidy(() => tf.clipByValue(tf.add(images, tf.mul(tf.tensor4d(noise, [B, H, W, C]), std)), lo, hi) as tf.Tensor4D)
  }
}
