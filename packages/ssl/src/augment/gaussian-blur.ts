/**
 * Gaussian blur with a random σ per image (SimCLR / BYOL augmentation; torchvision `GaussianBlur`):
 * σ_b ~ U(sigma) from `fold(key, b)`; a separable kernel of odd `kernelSize` k, weights
 * w_t ∝ exp(−t²/2σ²), t = −(k−1)/2 … (k−1)/2, summing to 1; borders by reflection (torchvision pads
 * with `reflect`). Implemented as two batched matmuls with per-image blur matrices built on the host:
 *   out_b = K_b^H · x_b · (K_b^W)ᵀ         K^H [H, H], K^W [W, W], each row a reflected kernel
 * Every row of K is a convex combination, so values stay in the input's range; k = 1 is the identity.
 */
import * as tf from '@tensorflow/tfjs'
import { type Augment, perImage } from './augment.ts'

/** Options of `gaussianBlur`. */
export interface GaussianBlurOptions {
  /** Odd kernel side ≥ 1 (torchvision's SimCLR recipe: ~10% of the image side). */
  readonly kernelSize: number
  /** Range of σ, 0 < lo ≤ hi (torchvision default (0.1, 2.0)). */
  readonly sigma: readonly [number, number]
}

/** Reflects an index into [0, n) ('reflect' padding, edge not repeated). */
const reflect = (i: number, n: number): number => {
  if (n === 1) return 0
  const period = 2 * (n - 1)
  const m = ((i % period) + period) % period
  return m < n ? m : period - m
}

/** The [n, n] matrix of a 1-D blur with kernel `weights` (odd length) and reflected borders, row-major. */
export const blurMatrix = (weights: readonly number[], n: number): Float32Array => {
  const r = (weights.length - 1) / 2
  const m = new Float32Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let t = -r; t <= r; t++) {
      const at = i * n + reflect(i + t, n)
      m[at] = m[at]! + weights[t + r]!
    }
  }
  return m
}

/** Normalized Gaussian weights of odd length k and deviation σ. */
export const gaussianWeights = (k: number, sigma: number): number[] => {
  const r = (k - 1) / 2
  const w = Array.from({ length: k }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)))
  const s = w.reduce((a, b) => a + b, 0)
  return w.map((x) => x / s)
}

/** Blurs each image with its own σ. */
export const gaussianBlur = (options: GaussianBlurOptions): Augment => {
  const k = options.kernelSize
  const [s0, s1] = options.sigma
  if (!(Number.isInteger(k) && k >= 1 && k % 2 === 1)) throw new RangeError(`gaussianBlur: kernelSize must be an odd integer ≥ 1, got ${k}`)
  if (!(s0 > 0 && s0 <= s1 && Number.isFinite(s1))) throw new RangeError(`gaussianBlur: sigma must satisfy 0 < lo ≤ hi, got [${s0}, ${s1}]`)
  return (key, images) => {
    const [B, H, W, C] = images.shape
    const rows = new Float32Array(B * H * H)
    const cols = new Float32Array(B * W * W)
    for (let b = 0; b < B; b++) {
      const w = gaussianWeights(k, s0 + perImage(key, b, 1)[0]! * (s1 - s0))
      rows.set(blurMatrix(w, H), b * H * H)
      cols.set(blurMatrix(w, W), b * W * W)
    }
    return tf.tidy(() => {
      const alongH = tf.matMul(tf.tensor3d(rows, [B, H, H]), tf.reshape(images, [B, H, W * C]))
      const wFirst = tf.reshape(tf.transpose(tf.reshape(alongH, [B, H, W, C]), [0, 2, 1, 3]), [B, W, H * C])
      const alongW = tf.matMul(tf.tensor3d(cols, [B, W, W]), wFirst)
      return tf.transpose(tf.reshape(alongW, [B, W, H, C]), [0, 2, 1, 3]) as tf.Tensor4D
    })
  }
}
