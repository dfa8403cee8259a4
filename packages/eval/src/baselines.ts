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

/** Row-major `[N, T, D]` tokens on the host (as `attentive-probe.ts`'s `HostTokens`). */
export interface HostPixelTokens {
  readonly values: Float32Array
  readonly shape: readonly [number, number, number]
}

/**
 * Raw-pixel tokens for the attentive probe: the image cut into non-overlapping `patch × patch`
 * squares in row-major order (as a ViT's patch embedding reads them), each token holding its
 * patch·patch·C pixel values followed by a one-hot of its row and a one-hot of its column — so the
 * probe, like an encoder's tokens, knows where each token sits.
 *   [N, H, W, C] → [N, (H/patch)·(W/patch), patch²·C + H/patch + W/patch]
 * Throws when `patch` does not divide H and W.
 */
export const rawPixelTokens = (images: HostImages, patch: number): HostPixelTokens => {
  checkImageShape(images.shape, images.values.length)
  const [n, h, w, c] = images.shape
  if (!(Number.isInteger(patch) && patch >= 1 && h % patch === 0 && w % patch === 0)) {
    throw new EvalInputError(evalError('patch', `a positive integer dividing the image (${h}×${w})`, String(patch)))
  }
  const gh = h / patch
  const gw = w / patch
  const d = patch * patch * c + gh + gw
  const out = new Float32Array(n * gh * gw * d)
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < gh; r++) {
      for (let q = 0; q < gw; q++) {
        const base = ((i * gh + r) * gw + q) * d
        let j = 0
        for (let y = 0; y < patch; y++) {
          for (let x = 0; x < patch; x++) {
            for (let ch = 0; ch < c; ch++) out[base + j++] = images.values[((i * h + r * patch + y) * w + q * patch + x) * c + ch]!
          }
        }
        out[base + j + r] = 1
        out[base + j + gh + q] = 1
      }
    }
  }
  return { values: out, shape: [n, gh * gw, d] }
}
