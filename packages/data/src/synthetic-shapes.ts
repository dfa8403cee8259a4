/**
 * A synthetic shapes dataset, generated from a key with no files and no dependencies: the embedded
 * default when no real dataset is present. Each image holds 1..maxObjects non-overlapping objects of
 * one shape class (circle, square, triangle, cross, …) on a black background, with four labels per
 * image so probes can measure low-level properties as well as the class:
 * - `shape`: the class of the objects;
 * - `count`: the number of objects (values 1..maxObjects; class names run from '0', which never occurs);
 * - `posX`, `posY`: the position bin (of `positionBins`) of the largest object's center.
 * Objects are separated by at least one background pixel, so the number of 8-connected components
 * of non-zero pixels equals `count`. Image i depends only on (key, i) and the options: the same key
 * gives identical bytes, and a dataset of n images is a prefix of one of n + m images.
 * (The small-scale analogue of the I-JEPA paper's CLEVR counting/depth probes.)
 */
import { type Either, left } from 'fp-ts/lib/Either.js'
import { type Key, fold, uniform64 } from '@jepa-ts/core'
import { type DataError, dataError } from './data-error.ts'
import { type ImageDataset, checkDataset } from './dataset.ts'

/** The shapes the rasterizer knows. */
export type ShapeClass = 'circle' | 'square' | 'triangle' | 'cross'

/** All shape classes, the default class list. */
export const SHAPE_CLASSES: readonly ShapeClass[] = ['circle', 'square', 'triangle', 'cross']

/** Options of `syntheticShapes`. */
export interface SyntheticShapesOptions {
  /** Number of images. */
  readonly n: number
  /** Side of the square images (default 32). */
  readonly size?: number
  /** Most objects per image (default 3); each image has 1..maxObjects. */
  readonly maxObjects?: number
  /** The shape classes, in label order (default: all four). */
  readonly classes?: readonly ShapeClass[]
  /** 1 (grayscale, default) or 3 (RGB, a random color per object). */
  readonly channels?: 1 | 3
  /** Position bins per axis for `posX`/`posY` (default 3). */
  readonly positionBins?: number
}

/** One placed object: center, half-extent (its box is [c − r, c + r]) and color. */
interface Placed {
  readonly cx: number
  readonly cy: number
  readonly r: number
  readonly color: readonly number[]
}

/** The object half-extents for an image side: about size/10 to size/6, at least 3 pixels. */
export const objectRadii = (size: number): { readonly min: number; readonly max: number } => {
  const min = Math.max(3, Math.round(size / 10))
  return { min, max: Math.max(min, Math.round(size / 6)) }
}

/** A stream of uniform doubles in [0, 1) under a key, drawn in blocks of 32. */
const drawer = (key: Key): (() => number) => {
  let block = 0
  let buf: Float64Array = new Float64Array(0)
  let i = 0
  return () => {
    if (i === buf.length) {
      buf = uniform64(fold(key, block++), 32)
      i = 0
    }
    return buf[i++]!
  }
}

const inside = (shape: ShapeClass, dx: number, dy: number, r: number): boolean => {
  switch (shape) {
    case 'circle':
      return dx * dx + dy * dy <= r * r + r
    case 'square':
      return true
    case 'triangle':
      return Math.abs(dx) <= (dy + r) / 2 + 0.5
    case 'cross': {
      const half = Math.max(1, Math.floor(r / 3))
      return Math.abs(dx) <= half || Math.abs(dy) <= half
    }
  }
}

/** Tries to place `count` separated objects (largest first); undefined when it fails. */
const place = (next: () => number, count: number, size: number, channels: number): Placed[] | undefined => {
  const { min, max } = objectRadii(size)
  const radii = Array.from({ length: count }, () => min + Math.floor(next() * (max - min + 1))).sort((a, b) => b - a)
  const placed: Placed[] = []
  for (const r of radii) {
    let ok = false
    for (let attempt = 0; attempt < 64 && !ok; attempt++) {
      const cx = r + Math.floor(next() * (size - 2 * r))
      const cy = r + Math.floor(next() * (size - 2 * r))
      ok = placed.every((p) => Math.abs(p.cx - cx) >= p.r + r + 2 || Math.abs(p.cy - cy) >= p.r + r + 2)
      if (ok) placed.push({ cx, cy, r, color: Array.from({ length: channels }, () => 96 + Math.floor(next() * 160)) })
    }
    if (!ok) return undefined
  }
  return placed
}

const checkOptions = (o: Required<SyntheticShapesOptions>): DataError | undefined => {
  const field = (f: string): { file: string; field: string } => ({ file: 'syntheticShapes', field: `options.${f}` })
  if (!Number.isSafeInteger(o.n) || o.n < 0) return dataError(field('n'), 'a non-negative integer', String(o.n))
  if (!Number.isSafeInteger(o.size) || o.size < 16 || o.size > 1024) return dataError(field('size'), 'an integer in [16, 1024]', String(o.size))
  if (o.classes.length === 0) return dataError(field('classes'), 'at least one shape class', '[]')
  const unknown = o.classes.find((c) => !SHAPE_CLASSES.includes(c))
  if (unknown !== undefined) return dataError(field('classes'), `shape classes among ${SHAPE_CLASSES.join(', ')}`, JSON.stringify(unknown))
  if (new Set(o.classes).size !== o.classes.length) return dataError(field('classes'), 'distinct shape classes', JSON.stringify(o.classes))
  if (o.channels !== 1 && o.channels !== 3) return dataError(field('channels'), '1 or 3', String(o.channels))
  if (!Number.isSafeInteger(o.positionBins) || o.positionBins < 1 || o.positionBins > o.size) {
    return dataError(field('positionBins'), `an integer in [1, ${o.size}]`, String(o.positionBins))
  }
  const { max } = objectRadii(o.size)
  const box = (2 * max + 2) ** 2
  const fit = Math.floor((0.6 * o.size * o.size) / box)
  if (!Number.isSafeInteger(o.maxObjects) || o.maxObjects < 1 || o.maxObjects > fit) {
    return dataError(field('maxObjects'), `an integer in [1, ${fit}] (objects must fit apart in ${o.size}×${o.size})`, String(o.maxObjects))
  }
  return undefined
}

const binNames = (bins: number, words: readonly string[]): string[] =>
  bins === 3 ? [...words] : Array.from({ length: bins }, (_, b) => String(b))

/** Generates `n` labelled shape images from `key`; option errors name the option. */
export const syntheticShapes = (key: Key, options: SyntheticShapesOptions): Either<DataError, ImageDataset> => {
  const o: Required<SyntheticShapesOptions> = {
    size: 32, maxObjects: 3, classes: SHAPE_CLASSES, channels: 1, positionBins: 3, ...options,
  }
  const bad = checkOptions(o)
  if (bad !== undefined) return left(bad)
  const { n, size, maxObjects, classes, channels, positionBins } = o
  const pixels = size * size * channels
  const images = new Uint8Array(n * pixels)
  const labels = { shape: new Int32Array(n), count: new Int32Array(n), posX: new Int32Array(n), posY: new Int32Array(n) }
  for (let i = 0; i < n; i++) {
    const imageKey = fold(key, i)
    let objects: Placed[] | undefined
    let cls = 0
    for (let attempt = 0; objects === undefined; attempt++) {
      if (attempt === 1000) throw new Error(`syntheticShapes: could not place objects in image ${i} (size ${size}, maxObjects ${maxObjects})`)
      const next = drawer(fold(imageKey, attempt))
      cls = Math.floor(next() * classes.length)
      const count = 1 + Math.floor(next() * maxObjects)
      objects = place(next, count, size, channels)
    }
    const shape = classes[cls]!
    const image = images.subarray(i * pixels, (i + 1) * pixels)
    for (const { cx, cy, r, color } of objects) {
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          if (!inside(shape, dx, dy, r)) continue
          const at = ((cy + dy) * size + (cx + dx)) * channels
          for (let c = 0; c < channels; c++) image[at + c] = color[c]!
        }
      }
    }
    const first = objects[0]!
    labels.shape[i] = cls
    labels.count[i] = objects.length
    labels.posX[i] = Math.floor((first.cx * positionBins) / size)
    labels.posY[i] = Math.floor((first.cy * positionBins) / size)
  }
  return checkDataset({
    name: 'synthetic-shapes',
    height: size,
    width: size,
    channels,
    size: n,
    images,
    labels,
    classNames: {
      shape: [...classes],
      count: Array.from({ length: maxObjects + 1 }, (_, c) => String(c)),
      posX: binNames(positionBins, ['left', 'center', 'right']),
      posY: binNames(positionBins, ['top', 'middle', 'bottom']),
    },
  })
}
