/**
 * The playground's images: the first `count` images of a split of the served dataset, gray and
 * square (Fashion-MNIST: 28 × 28), with their labels and class names, as JSON the page decodes:
 *
 *   playgroundImages(data, 'train', 2000) → Right({ count, height, width, classNames, labels, pixels: base64 })
 *
 * Contract: read-only over the dataset the server already loaded; `count` in 1..`MAX_PLAYGROUND_IMAGES`
 * (and at most the split's size); a dataset the playground cannot train on (colour, not square or
 * larger than 32 × 32) is a 400 saying which. Replies are cached (at most `CACHED_REPLIES`, the
 * oldest dropped first), so a page reloading costs no recomputation.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { ServedData } from './datasets.ts'
import { type HttpFailure, badRequest } from './http.ts'

/** Most images one request may ask for (2000 Fashion-MNIST images are 1.6 MB). */
export const MAX_PLAYGROUND_IMAGES = 5000
export const CACHED_REPLIES = 4

export interface PlaygroundImagesReply {
  readonly name: string
  readonly count: number
  readonly height: number
  readonly width: number
  readonly classNames: readonly string[]
  readonly labels: readonly number[]
  /** count·height·width bytes, base64. */
  readonly pixels: string
}

export type PlaygroundImagesSource = (split: 'train' | 'test', count: number) => E.Either<HttpFailure, Uint8Array>

/** The cached source of the route (see the module contract); replies are UTF-8 JSON bytes. */
export const playgroundImages = (data: ServedData): PlaygroundImagesSource => {
  const cache = new Map<string, Uint8Array>()
  return (split, count) => {
    const id = `${split}:${count}`
    const hit = cache.get(id)
    if (hit !== undefined) return E.right(hit)
    const served = data.get()
    if (E.isLeft(served)) return E.left({ status: 500, message: served.left })
    const ds = served.right[split]
    const field = served.right.field
    if (ds.channels !== 1 || ds.height !== ds.width || ds.height > 32) return E.left(badRequest(`${ds.name}: the playground trains on gray square images of at most 32 × 32, got ${ds.height}×${ds.width}×${ds.channels}`))
    if (field === undefined) return E.left(badRequest(`${ds.name}: the playground's kNN score needs labelled images, and this dataset has no label field`))
    if (count > ds.size) return E.left(badRequest(`count: expected at most the ${ds.size} images of ${ds.name}, got ${count}`))
    const pixels = ds.images.subarray(0, count * ds.height * ds.width)
    const reply: PlaygroundImagesReply = {
      name: ds.name,
      count,
      height: ds.height,
      width: ds.width,
      classNames: ds.classNames[field] ?? [],
      labels: Array.from(ds.labels[field]!.subarray(0, count)),
      pixels: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength).toString('base64'),
    }
    const bytes = new TextEncoder().encode(JSON.stringify(reply))
    if (cache.size >= CACHED_REPLIES) cache.delete(cache.keys().next().value!)
    cache.set(id, bytes)
    return E.right(bytes)
  }
}
