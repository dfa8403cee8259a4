/**
 * The dataset value shared by every source (Fashion-MNIST, image folders, synthetic shapes): plain,
 * tfjs-free data. Pixels are one `Uint8Array` of `size · height · width · channels` bytes in
 * NHWC order; each label field (`class`, or `shape`/`count`/`posX`/`posY`) is an `Int32Array` of
 * `size` entries whose values lie in `[0, numClasses(ds, field))`, with `classNames[field]` giving
 * the meaning of each value. `checkDataset` enforces this contract; every loader's output passes it.
 */
import { type Either, left, right } from 'fp-ts/lib/Either.js'
import { type DataError, dataError } from './data-error.ts'

/** N images of H × W × C uint8 pixels (NHWC) with one or more integer label fields. */
export interface ImageDataset {
  /** A short name for logs and summaries (`fashion-mnist/train`, `shapes`, a folder name). */
  readonly name: string
  readonly height: number
  readonly width: number
  readonly channels: number
  /** The number of images N. */
  readonly size: number
  /** N·H·W·C bytes, image-major, then row, column, channel. */
  readonly images: Uint8Array
  /** Label fields, each N integers in [0, classNames[field].length). */
  readonly labels: Readonly<Record<string, Int32Array>>
  /** The names of each label field's values; `classNames[field][v]` names value v. */
  readonly classNames: Readonly<Record<string, readonly string[]>>
}

/** The number of classes of a label field (the length of its class-name list). */
export const numClasses = (ds: ImageDataset, field: string): number => {
  const names = ds.classNames[field]
  if (names === undefined) throw new RangeError(`${ds.name}: no label field '${field}' (fields: ${Object.keys(ds.labels).join(', ')})`)
  return names.length
}

/** The bytes of one image (a view, not a copy): H·W·C pixels. */
export const imageAt = (ds: ImageDataset, index: number): Uint8Array => {
  if (!Number.isInteger(index) || index < 0 || index >= ds.size) throw new RangeError(`${ds.name}: image index must be an integer in [0, ${ds.size}), got ${index}`)
  const n = ds.height * ds.width * ds.channels
  return ds.images.subarray(index * n, (index + 1) * n)
}

/** Checks the dataset contract: dims, byte count, label lengths and label ranges. */
export const checkDataset = (ds: ImageDataset): Either<DataError, ImageDataset> => {
  const place = { file: ds.name }
  for (const dim of ['height', 'width', 'channels'] as const) {
    if (!Number.isInteger(ds[dim]) || ds[dim] < 1) return left(dataError({ ...place, field: dim }, 'a positive integer', String(ds[dim])))
  }
  if (!Number.isInteger(ds.size) || ds.size < 0) return left(dataError({ ...place, field: 'size' }, 'a non-negative integer', String(ds.size)))
  const bytes = ds.size * ds.height * ds.width * ds.channels
  if (ds.images.length !== bytes) {
    return left(dataError({ ...place, field: 'images' }, `${bytes} bytes (${ds.size}·${ds.height}·${ds.width}·${ds.channels})`, `${ds.images.length} bytes`))
  }
  for (const [field, values] of Object.entries(ds.labels)) {
    const names = ds.classNames[field]
    if (names === undefined) return left(dataError({ ...place, field: `classNames.${field}` }, 'class names for every label field', 'none'))
    if (values.length !== ds.size) return left(dataError({ ...place, field: `labels.${field}` }, `${ds.size} labels (one per image)`, `${values.length}`))
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!
      if (v < 0 || v >= names.length) return left(dataError({ ...place, field: `labels.${field}[${i}]` }, `a value in [0, ${names.length})`, String(v)))
    }
  }
  return right(ds)
}

/** The images at `indices`, with their labels, as a new dataset (pixels copied). */
export const subset = (ds: ImageDataset, indices: ArrayLike<number>, name = ds.name): ImageDataset => {
  const n = ds.height * ds.width * ds.channels
  const images = new Uint8Array(indices.length * n)
  const labels: Record<string, Int32Array> = {}
  for (const field of Object.keys(ds.labels)) labels[field] = new Int32Array(indices.length)
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j]!
    images.set(imageAt(ds, i), j * n)
    for (const [field, values] of Object.entries(ds.labels)) labels[field]![j] = values[i]!
  }
  return { ...ds, name, size: indices.length, images, labels }
}

/** Per-channel mean and standard deviation of the pixels scaled to [0, 1] (for normalization). */
export const pixelStats = (ds: ImageDataset): { readonly mean: number[]; readonly std: number[] } => {
  const c = ds.channels
  const sum = new Float64Array(c)
  const sumSq = new Float64Array(c)
  for (let i = 0; i < ds.images.length; i++) {
    const x = ds.images[i]! / 255
    sum[i % c]! += x
    sumSq[i % c]! += x * x
  }
  const count = ds.images.length / c
  const mean = Array.from(sum, (s) => (count === 0 ? 0 : s / count))
  const std = Array.from(sumSq, (s, k) => (count === 0 ? 0 : Math.sqrt(Math.max(0, s / count - mean[k]! ** 2))))
  return { mean, std }
}

/** One line for the CLI: name, size, image shape and label fields with their class counts. */
export const datasetSummary = (ds: ImageDataset): string => {
  const fields = Object.keys(ds.labels).map((f) => `${f} (${numClasses(ds, f)})`).join(', ')
  return `${ds.name}: ${ds.size} images of ${ds.height}×${ds.width}×${ds.channels}, labels: ${fields === '' ? 'none' : fields}`
}
