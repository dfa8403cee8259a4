/**
 * Baselines every comparison shows, run through the same probe, kNN and metrics as the models:
 *
 * - raw pixels: `rawPixelFeatures(images [N, H, W, C]) → [N, H·W·C]`, each image flattened in
 *   row-major (h, w, c) order; no other preprocessing (the probe's own standardization applies).
 * - random-init encoder: no function here. The caller initializes the encoder from a key, never
 *   trains it, extracts features exactly as for the trained one (same pooling, same splits) and
 *   passes them to `linearProbe` / `knnClassify` / `rankMe` / `collapseMonitor`.
 *
 * Ownership: a tensor in gives a new tensor (a reshape) the caller disposes; a host array in gives a
 * host matrix over the same values (no copy).
 */
import * as tf from '@tensorflow/tfjs'
import { evalError, EvalInputError } from './eval-error.ts'
import type { HostMatrix } from './feature-matrix.ts'

/** A row-major `[N, H, W, C]` image batch on the host. */
export interface HostImages {
  readonly values: Float32Array
  readonly shape: readonly [number, number, number, number]
}

const checkImageShape = (shape: readonly number[], length?: number): readonly [number, number] => {
  if (shape.length !== 4) throw new EvalInputError(evalError('images', 'a batch [N, H, W, C] (rank 4)', `shape [${shape.join(', ')}]`))
  const [n, h, w, c] = shape as [number, number, number, number]
  if (![n, h, w, c].every((x) => Number.isInteger(x) && x >= 1)) throw new EvalInputError(evalError('images', 'positive dims', `shape [${shape.join(', ')}]`))
  if (length !== undefined && length !== n * h * w * c) {
    throw new EvalInputError(evalError('images.values', `${n}·${h}·${w}·${c} = ${n * h * w * c} values`, `${length}`))
  }
  return [n, h * w * c] as const
}

/** Flattened pixels `[N, H·W·C]` of an image batch `[N, H, W, C]`. */
export function rawPixelFeatures(images: tf.Tensor4D): tf.Tensor2D
export function rawPixelFeatures(images: HostImages): HostMatrix
export function rawPixelFeatures(images: tf.Tensor4D | HostImages): tf.Tensor2D | HostMatrix {
  if (images instanceof tf.Tensor) {
    const [n, d] = checkImageShape(images.shape)
    return tf.reshape(images, [n, d])
  }
  const [n, d] = checkImageShape(images.shape, images.values.length)
  return { values: images.values, shape: [n, d] }
}
