/**
 * Random resized crop (SimCLR's main augmentation; torchvision `RandomResizedCrop.get_params`):
 * for each image, a box of area fraction s ~ U(scale) and aspect w/h = exp(U(log aspect)) is placed
 * uniformly, then resampled to the full H × W with `tf.image.cropAndResize` (bilinear, one box per image).
 *
 * Box rule, per image b from `fold(key, b)` (10 tries, as torchvision): area = s·H·W,
 * w = round(√(area·r)), h = round(√(area/r)); accepted if 0 < w ≤ W and 0 < h ≤ H; then
 * top ~ U{0..H−h}, left ~ U{0..W−w}. After 10 failures: the largest centred box whose aspect is
 * clamped to the range (whole image when the image's own aspect is inside it).
 * Resampling: the crop's pixel rows top..top+h−1 map onto the output rows with corners aligned (tfjs
 * boxes are [y1, x1, y2, x2] in units of H − 1 and W − 1), so the box of the whole image returns the
 * image exactly: `randomResizedCrop({ scale: [1, 1], aspect: [1, 1] })` on square images is the identity.
 * torchvision resizes with half-pixel centres and antialiasing instead; at these sizes (16–32 px) the
 * difference is sub-pixel and we prefer the exact identity law.
 * Values: bilinear interpolation of values in [lo, hi] stays in [lo, hi].
 */
import * as tf from '@tensorflow/tfjs'
import type { Key } from '@jepa-ts/core'
import { type Augment, perImage } from './augment.ts'

/** Options of `randomResizedCrop`. */
export interface RandomResizedCropOptions {
  /** Range of the crop's area as a fraction of the image, 0 < lo ≤ hi ≤ 1 (torchvision (0.08, 1)). */
  readonly scale: readonly [number, number]
  /** Range of the crop's aspect ratio width/height, 0 < lo ≤ hi (torchvision (3/4, 4/3)). */
  readonly aspect: readonly [number, number]
}

/** A crop box in pixels: rows top..top+height−1, columns left..left+width−1. */
export interface CropBox {
  readonly top: number
  readonly left: number
  readonly height: number
  readonly width: number
}

const TRIES = 10

/** The crop box of one image (host arithmetic only; 3 uniforms per try). */
export const sampleCropBox = (key: Key, b: number, H: number, W: number, options: RandomResizedCropOptions): CropBox => {
  const [s0, s1] = options.scale
  const [a0, a1] = options.aspect
  const u = perImage(key, b, 4 * TRIES)
  const area = H * W
  for (let i = 0; i < TRIES; i++) {
    const target = area * (s0 + u[4 * i]! * (s1 - s0))
    const ratio = Math.exp(Math.log(a0) + u[4 * i + 1]! * (Math.log(a1) - Math.log(a0)))
    const width = Math.round(Math.sqrt(target * ratio))
    const height = Math.round(Math.sqrt(target / ratio))
    if (width > 0 && width <= W && height > 0 && height <= H) {
      const top = Math.min(H - height, Math.floor(u[4 * i + 2]! * (H - height + 1)))
      const left = Math.min(W - width, Math.floor(u[4 * i + 3]! * (W - width + 1)))
      return { top, left, height, width }
    }
  }
  const own = W / H
  const [height, width] = own < a0 ? [Math.round(W / a0), W] : own > a1 ? [H, Math.round(H * a1)] : [H, W]
  return { top: Math.floor((H - height) / 2), left: Math.floor((W - width) / 2), height, width }
}

/** Normalized tfjs box [y1, x1, y2, x2] of a pixel box (corner-aligned; a 1-pixel side maps to one row). */
const normalizedBox = (box: CropBox, H: number, W: number): [number, number, number, number] => {
  const ny = (y: number): number => (H > 1 ? y / (H - 1) : 0)
  const nx = (x: number): number => (W > 1 ? x / (W - 1) : 0)
  return [ny(box.top), nx(box.left), ny(box.top + box.height - 1), nx(box.left + box.width - 1)]
}

/** Random resized crop back to the input size, one box per image. */
export const randomResizedCrop = (options: RandomResizedCropOptions): Augment => {
  const [s0, s1] = options.scale
  const [a0, a1] = options.aspect
  if (!(s0 > 0 && s0 <= s1 && s1 <= 1)) throw new RangeError(`randomResizedCrop: scale must satisfy 0 < lo ≤ hi ≤ 1, got [${s0}, ${s1}]`)
  if (!(a0 > 0 && a0 <= a1 && Number.isFinite(a1))) throw new RangeError(`randomResizedCrop: aspect must satisfy 0 < lo ≤ hi, got [${a0}, ${a1}]`)
  return (key, images) => {
    const [B, H, W] = images.shape
    const boxes = Array.from({ length: B }, (_, b) => normalizedBox(sampleCropBox(key, b, H, W, options), H, W))
    return tf.tidy(() => {
      const boxTensor = tf.tensor2d(boxes.flat(), [B, 4])
      const index = tf.range(0, B, 1, 'int32') as tf.Tensor1D
      return tf.image.cropAndResize(images, boxTensor, index, [H, W], 'bilinear')
    })
  }
}
