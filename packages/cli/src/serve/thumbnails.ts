/**
 * PNG thumbnails of dataset images for the page: image `index` of a split, upscaled `scale` times
 * with nearest-neighbour sampling (so pixels stay crisp), encoded by sharp.
 *
 *   thumbnailPng(dataset, index, scale) → PNG bytes of (H·scale)×(W·scale)×C
 *
 * The caller validates `index` (0 ≤ index < dataset.size) and `scale` (1..8).
 */
import sharp from 'sharp'
import type { ImageDataset } from '@jepa-ts/data'

export const thumbnailPng = async (dataset: ImageDataset, index: number, scale: number): Promise<Uint8Array> => {
  const { height, width, channels } = dataset
  const pixels = height * width * channels
  const raw = Buffer.from(dataset.images.subarray(index * pixels, (index + 1) * pixels))
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new Error(`${dataset.name}: cannot draw images with ${channels} channels`)
  const png = await sharp(raw, { raw: { width, height, channels } }).resize(width * scale, height * scale, { kernel: 'nearest' }).png().toBuffer()
  return new Uint8Array(png)
}
