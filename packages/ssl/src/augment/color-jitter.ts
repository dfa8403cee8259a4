/**
 * Brightness and contrast jitter for grayscale (torchvision `ColorJitter(brightness, contrast)`):
 * per image, factors β ~ U[max(0, 1 − brightness), 1 + brightness] and γ ~ U[max(0, 1 − contrast), 1 + contrast];
 *   x ↦ clip(β·x),  then  x ↦ clip(m + γ·(x − m)),  m = the image's mean after the brightness step
 * (torchvision's `adjust_contrast` blends with the grayscale mean). Fixed order brightness → contrast
 * (torchvision shuffles the order per call). Clipping to `range` (default [0, 1]) keeps values in range.
 * With brightness = contrast = 0 the factors are 1 and the map is the identity on in-range images.
 */
import * as tf from '@tensorflow/tfjs'
import { type Augment, perImage } from './augment.ts'

/** Options of `colorJitter`. */
export interface ColorJitterOptions {
  /** Brightness strength ≥ 0 (factor range [1 − b, 1 + b]). */
  readonly brightness: number
  /** Contrast strength ≥ 0 (factor range [1 − c, 1 + c]). */
  readonly contrast: number
  /** Value range to clip to (default [0, 1]). */
  readonly range?: readonly [number, number]
}

/** Random brightness then contrast, per image. */
export const colorJitter = (options: ColorJitterOptions): Augment => {
  const { brightness, contrast } = options
  const [lo, hi] = options.range ?? [0, 1]
  if (!(brightness >= 0 && contrast >= 0)) throw new RangeError(`colorJitter: brightness and contrast must be ≥ 0, got ${brightness}, ${contrast}`)
  const factor = (strength: number, u: number): number => Math.max(0, 1 - strength) + u * (1 + strength - Math.max(0, 1 - strength))
  return (key, images) => {
    const B = images.shape[0]
    const draws = Array.from({ length: B }, (_, b) => perImage(key, b, 2))
    return tf.tidy(() => {
      const beta = tf.tensor4d(draws.map((u) => factor(brightness, u[0]!)), [B, 1, 1, 1])
      const gamma = tf.tensor4d(draws.map((u) => factor(contrast, u[1]!)), [B, 1, 1, 1])
      const bright = tf.clipByValue(tf.mul(images, beta), lo, hi)
      const mean = tf.mean(bright, [1, 2, 3], true)
      return tf.clipByValue(tf.add(mean, tf.mul(gamma, tf.sub(bright, mean))), lo, hi) as tf.Tensor4D
    })
  }
}
