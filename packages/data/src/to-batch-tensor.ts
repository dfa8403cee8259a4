/**
 * The tfjs edge of the data package: gathers images by index into one float32 tensor
 * [B, H', W', C]. Pixels are scaled to [0, 1] (`pixels: 'unit'`, the default) or then normalized
 * per channel, (x/255 − mean[c]) / std[c]. `padTo` zero-pads (black, raw value 0, before scaling)
 * centered to padTo × padTo — e.g. Fashion-MNIST 28 → 32 so patch 4 gives an 8 × 8 grid; the extra
 * row/column of an odd pad goes to the bottom/right. The caller owns (and disposes) the tensor.
 */
import * as tf from '@tensorflow/tfjs'
import { type ImageDataset, imageAt } from './dataset.ts'

/** How raw uint8 pixels become floats. */
export type PixelScaling = 'unit' | { readonly mean: readonly number[]; readonly std: readonly number[] }

/** Options of `toBatchTensor` and `toBatchArray`. */
export interface BatchTensorOptions {
  /** 'unit' (x/255, default) or per-channel normalization after x/255. */
  readonly pixels?: PixelScaling
  /** Side to zero-pad the images to (centered); must be ≥ height and width. */
  readonly padTo?: number
}

/** The float32 data and shape of a batch, without tfjs (what `toBatchTensor` uploads). */
export const toBatchArray = (ds: ImageDataset, indices: ArrayLike<number>, options: BatchTensorOptions = {}): { readonly data: Float32Array; readonly shape: [number, number, number, number] } => {
  const { height: h, width: w, channels: c } = ds
  const side = options.padTo
  if (side !== undefined && (!Number.isSafeInteger(side) || side < h || side < w)) {
    throw new RangeError(`toBatchTensor: padTo must be an integer ≥ the image size ${h}×${w} of ${ds.name}, got ${side}`)
  }
  const outH = side ?? h
  const outW = side ?? w
  const top = Math.floor((outH - h) / 2)
  const leftPad = Math.floor((outW - w) / 2)
  const pixels = options.pixels ?? 'unit'
  const scale = new Float32Array(c)
  const shift = new Float32Array(c)
  for (let k = 0; k < c; k++) {
    if (pixels === 'unit') {
      scale[k] = 1 / 255
      continue
    }
    const mean = pixels.mean[k]
    const std = pixels.std[k]
    if (pixels.mean.length !== c || pixels.std.length !== c || mean === undefined || std === undefined || !(std > 0)) {
      throw new RangeError(`toBatchTensor: pixels.mean and pixels.std need ${c} entries (std > 0) for ${ds.name}, got mean [${pixels.mean.join(', ')}], std [${pixels.std.join(', ')}]`)
    }
    scale[k] = 1 / (255 * std)
    shift[k] = -mean / std
  }
  const b = indices.length
  const data = new Float32Array(b * outH * outW * c)
  for (let j = 0; j < b; j++) {
    const image = imageAt(ds, indices[j]!)
    const base = j * outH * outW * c
    if (side !== undefined) for (let p = 0; p < outH * outW * c; p++) data[base + p] = shift[p % c]!
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = (y * w + x) * c
        const dst = base + ((y + top) * outW + (x + leftPad)) * c
        for (let k = 0; k < c; k++) data[dst + k] = image[src + k]! * scale[k]! + shift[k]!
      }
    }
  }
  return { data, shape: [b, outH, outW, c] }
}

/** The images at `indices` as a float32 tensor [B, H', W', C]. */
export const toBatchTensor = (ds: ImageDataset, indices: ArrayLike<number>, options: BatchTensorOptions = {}): tf.Tensor4D => {
  const { data, shape } = toBatchArray(ds, indices, options)
  return tf.tensor4d(data, shape, 'float32')
}

/** The labels of field `field` at `indices` as an int32 tensor [B]. */
export const toLabelTensor = (ds: ImageDataset, field: string, indices: ArrayLike<number>): tf.Tensor1D => {
  const values = ds.labels[field]
  if (values === undefined) throw new RangeError(`toLabelTensor: ${ds.name} has no label field '${field}' (fields: ${Object.keys(ds.labels).join(', ')})`)
  const out = Int32Array.from({ length: indices.length }, (_, j) => {
    const v = values[indices[j]!]
    if (v === undefined) throw new RangeError(`toLabelTensor: index must be an integer in [0, ${ds.size}) for ${ds.name}, got ${indices[j]}`)
    return v
  })
  return tf.tensor1d(out, 'int32')
}
