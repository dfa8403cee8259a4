/**
 * Encodes uint8 pixels (H × W × C, C = 1, 3 or 4) to PNG or JPEG bytes with sharp: for looking at
 * dataset samples, building image-folder fixtures and exports. The inverse direction is
 * `decodeImageFile`; a PNG round-trip is lossless.
 */
import sharp from 'sharp'
import { type ImageDataset, imageAt } from './dataset.ts'

/** The raw layout of pixels handed to `encodeImage`. */
export interface RawImage {
  readonly pixels: Uint8Array
  readonly height: number
  readonly width: number
  readonly channels: 1 | 3 | 4
}

/** PNG or JPEG bytes of raw pixels; throws RangeError when the byte count disagrees with the dims. */
export const encodeImage = async (image: RawImage, format: 'png' | 'jpeg'): Promise<Buffer> => {
  const { pixels, height, width, channels } = image
  if (pixels.length !== height * width * channels) {
    throw new RangeError(`encodeImage: ${height}×${width}×${channels} needs ${height * width * channels} bytes, got ${pixels.length}`)
  }
  const s = sharp(pixels, { raw: { width, height, channels } })
  return format === 'png' ? s.png().toBuffer() : s.jpeg({ quality: 95 }).toBuffer()
}

/** PNG bytes of image `index` of a dataset. */
export const datasetImagePng = (ds: ImageDataset, index: number): Promise<Buffer> => {
  const channels = ds.channels
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new RangeError(`datasetImagePng: ${ds.name} has ${channels} channels; PNG needs 1, 3 or 4`)
  return encodeImage({ pixels: imageAt(ds, index), height: ds.height, width: ds.width, channels }, 'png')
}
