/**
 * fast-check arbitraries for model code: PRNG keys, input shapes that fit a layer's contract, layer
 * configs whose cross-field constraints hold (heads divide the width, the patch divides the image),
 * bounded input data (with the degenerate cases — zeros, constants — that break careless code),
 * image batches, and mask sets on a grid (valid ones and degenerate ones).
 *
 * Contract: every arbitrary here is pure data — no tensor is created while generating, so a failing
 * case can be shrunk and printed without leaking memory. Tensors are made from the data by the
 * helpers at the end (`inputTensor`, `imageBatch`), which the caller disposes. Everything shrinks
 * towards small: batch 1–2, few tokens, narrow widths, key 0, zeros.
 */
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { type Dims, type Key, keyOf, sizeOf, uniform } from '@jepa-ts/core'
import { type Grid, type ImageMasks, grid as makeGrid, tokenCount } from '@jepa-ts/masks'

// ---------------------------------------------------------------------------------------------
// keys
// ---------------------------------------------------------------------------------------------

/** A PRNG key from a seed; shrinks towards `keyOf(0)`. */
export const keyArb: fc.Arbitrary<Key> = fc.nat({ max: 1_000_000 }).map(keyOf)

/** A seed (a small non-negative integer), for keys built inside a law. */
export const seedArb: fc.Arbitrary<number> = fc.nat({ max: 1_000_000 })

// ---------------------------------------------------------------------------------------------
// shapes
// ---------------------------------------------------------------------------------------------

/** Bounds of the free dims of a shape. */
export interface ShapeBounds {
  /** Batch size range (default [1, 3]). */
  readonly batch?: readonly [number, number]
  /** Token count range (default [1, 5]). */
  readonly tokens?: readonly [number, number]
}

const between = (r: readonly [number, number]): fc.Arbitrary<number> => fc.integer({ min: r[0], max: r[1] })

/** `[B, dim]` rows for a layer over feature vectors. */
export const rowsArb = (dim: number, bounds: ShapeBounds = {}): fc.Arbitrary<Dims> => between(bounds.batch ?? [1, 3]).map((b) => [b, dim])

/** `[B, N, dim]` token sequences — the contract of attention, blocks, MLPs and norms over tokens. */
export const tokensArb = (dim: number, bounds: ShapeBounds = {}): fc.Arbitrary<Dims> =>
  fc.tuple(between(bounds.batch ?? [1, 3]), between(bounds.tokens ?? [1, 5])).map(([b, n]) => [b, n, dim])

/** `[B, H, W, C]` NHWC images whose sides are multiples of `patch` (up to `maxPatches` patches a side). */
export const imagesDimsArb = (channels: number, patch = 1, maxPatches = 3, bounds: ShapeBounds = {}): fc.Arbitrary<Dims> =>
  fc.tuple(between(bounds.batch ?? [1, 3]), fc.integer({ min: 1, max: maxPatches }), fc.integer({ min: 1, max: maxPatches })).map(([b, h, w]) => [b, h * patch, w * patch, channels])

/** Named dims: a record of dim names to sizes, e.g. `{ B: 2, N: 3 }`, each in its range. */
export const namedDimsArb = <K extends string>(ranges: Readonly<Record<K, readonly [number, number]>>): fc.Arbitrary<Readonly<Record<K, number>>> => {
  const entries = Object.entries(ranges) as Array<[K, readonly [number, number]]>
  return fc.tuple(...entries.map(([, r]) => between(r))).map((sizes) => Object.fromEntries(entries.map(([k], i) => [k, sizes[i]!])) as Record<K, number>)
}

/** A shape from named dims: `shapeOf(['B', 'N', 8], { B: 2, N: 3 })` = `[2, 3, 8]`; throws on an unknown name. */
export const shapeOf = (shape: readonly (number | string)[], dims: Readonly<Record<string, number>>): Dims =>
  shape.map((d) => {
    if (typeof d === 'number') return d
    const v = dims[d]
    if (v === undefined) throw new RangeError(`shapeOf: no size for the named dim "${d}" (given: ${Object.keys(dims).join(', ') || 'none'})`)
    return v
  })

// ---------------------------------------------------------------------------------------------
// layer configs
// ---------------------------------------------------------------------------------------------

/** A width and a head count that divides it: `dim = heads · headDim`. */
export interface WidthHeads {
  readonly dim: number
  readonly heads: number
}

/** Widths divisible by heads; shrinks towards 1 head of width 1. */
export const widthHeadsArb = (maxHeads = 4, maxHeadDim = 8): fc.Arbitrary<WidthHeads> =>
  fc.tuple(fc.integer({ min: 1, max: maxHeads }), fc.integer({ min: 1, max: maxHeadDim })).map(([heads, hd]) => ({ dim: heads * hd, heads }))

/** A patch size and an image size it divides: `image = patch · patchesPerSide`. */
export interface PatchImage {
  readonly patch: number
  readonly image: readonly [number, number]
  readonly grid: readonly [number, number]
}

/** Patch sizes dividing the image (possibly non-square); shrinks towards one 1×1 patch. */
export const patchImageArb = (maxPatch = 4, maxGrid = 4): fc.Arbitrary<PatchImage> =>
  fc.tuple(fc.integer({ min: 1, max: maxPatch }), fc.integer({ min: 1, max: maxGrid }), fc.integer({ min: 1, max: maxGrid })).map(([patch, gh, gw]) => ({
    patch,
    image: [patch * gh, patch * gw] as const,
    grid: [gh, gw] as const,
  }))

/** A small ViT configuration: width divisible by heads, patch dividing the image, depth 1–2. */
export interface TinyVitConfig extends WidthHeads {
  readonly patchSize: number
  readonly imageSize: readonly [number, number]
  readonly inChans: number
  readonly depth: number
}

/** Tiny ViT configs (the sizes a law can afford to run). */
export const vitConfigArb: fc.Arbitrary<TinyVitConfig> = fc
  .tuple(widthHeadsArb(2, 4), patchImageArb(3, 3), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }))
  .map(([wh, pi, inChans, depth]) => ({ ...wh, patchSize: pi.patch, imageSize: pi.image, inChans, depth }))

// ---------------------------------------------------------------------------------------------
// data
// ---------------------------------------------------------------------------------------------

/**
 * How a law fills an input tensor: all zeros, one constant, or uniform values in [−bound, bound]
 * from a seed. Shrinks towards zeros — the degenerate input that divides by a zero variance.
 */
export type InputFill = { readonly kind: 'zeros' } | { readonly kind: 'constant'; readonly value: number } | { readonly kind: 'uniform'; readonly seed: number }

/** Input fills; `bound` caps |value|. */
export const inputFillArb = (bound = 3): fc.Arbitrary<InputFill> =>
  fc.oneof(
    { arbitrary: fc.constant<InputFill>({ kind: 'zeros' }), weight: 1 },
    { arbitrary: fc.integer({ min: -bound, max: bound }).map((value): InputFill => ({ kind: 'constant', value })), weight: 1 },
    { arbitrary: seedArb.map((seed): InputFill => ({ kind: 'uniform', seed })), weight: 2 },
  )

/** The host values of a fill for a shape. */
export const fillValues = (fill: InputFill, dims: Dims, bound = 3): Float32Array => {
  const n = sizeOf(dims)
  switch (fill.kind) {
    case 'zeros':
      return new Float32Array(n)
    case 'constant':
      return new Float32Array(n).fill(fill.value)
    case 'uniform':
      return uniform(keyOf(fill.seed), n).map((u) => (2 * u - 1) * bound)
  }
}

/** A float32 tensor of the fill (caller disposes). */
export const inputTensor = (fill: InputFill, dims: Dims, bound = 3): tf.Tensor => tf.tensor(fillValues(fill, dims, bound), [...dims], 'float32')

/** A batch of images in [0, 1]: `{ dims, seed }`; `imageBatch` makes the tensor. */
export interface ImageBatchCase {
  readonly dims: readonly [number, number, number, number]
  readonly seed: number
}

/** Image batches of `[H, W, C]` images, batch size in `batch` (default [1, 3]). */
export const imageBatchArb = (imageDims: readonly [number, number, number], batch: readonly [number, number] = [1, 3]): fc.Arbitrary<ImageBatchCase> =>
  fc.tuple(between(batch), seedArb).map(([b, seed]) => ({ dims: [b, imageDims[0], imageDims[1], imageDims[2]] as const, seed }))

/** The images of a case: uniform in [0, 1) from its seed (caller disposes). */
export const imageBatch = (c: ImageBatchCase): tf.Tensor4D => tf.tensor4d(uniform(keyOf(c.seed), sizeOf(c.dims)), [...c.dims], 'float32')

// ---------------------------------------------------------------------------------------------
// masks
// ---------------------------------------------------------------------------------------------

/** Grids of `[minSide, maxSide]` rows and columns. */
export const gridArb = (minSide = 2, maxSide = 8): fc.Arbitrary<Grid> =>
  fc.tuple(fc.integer({ min: minSide, max: maxSide }), fc.integer({ min: minSide, max: maxSide })).map(([h, w]) => makeGrid(h, w))

const sortedUnique = (xs: readonly number[]): Int32Array => Int32Array.from([...new Set(xs)].sort((a, b) => a - b))

/**
 * Valid mask sets for one image on a grid: a non-empty context and `nTargets` non-empty targets,
 * ascending, unique, in range, disjoint from the context. Needs `tokenCount(g) ≥ nTargets + 1`.
 */
export const validMasksArb = (g: Grid, nTargets = 1): fc.Arbitrary<ImageMasks> => {
  const L = tokenCount(g)
  if (L < nTargets + 1) throw new RangeError(`validMasksArb: a ${g.height}×${g.width} grid has ${L} tokens, fewer than ${nTargets} targets + 1 context token`)
  // Each token gets an owner: -1 nobody, 0 context, j + 1 target j; the first nTargets + 1 tokens of a shuffle are forced so none is empty.
  return fc.tuple(fc.shuffledSubarray([...Array(L).keys()], { minLength: L, maxLength: L }), fc.array(fc.integer({ min: -1, max: nTargets }), { minLength: L, maxLength: L })).map(([order, owners]) => {
    const owner = new Int32Array(L)
    order.forEach((tok, i) => (owner[tok] = i <= nTargets ? i : owners[i]!))
    const pick = (o: number): Int32Array => sortedUnique([...Array(L).keys()].filter((t) => owner[t] === o))
    return { context: pick(0), targets: Array.from({ length: nTargets }, (_, j) => pick(j + 1)), blocks: undefined, relaxation: undefined }
  })
}

/** Which degeneracy a degenerate mask set has. */
export type MaskDegeneracy = 'out-of-range' | 'negative' | 'duplicate' | 'overlap' | 'empty-context' | 'unsorted'

/** Degenerate mask sets: a valid set broken in exactly one way (the `why` says which). */
export const degenerateMasksArb = (g: Grid, nTargets = 1): fc.Arbitrary<{ readonly masks: ImageMasks; readonly why: MaskDegeneracy }> =>
  fc.tuple(validMasksArb(g, nTargets), fc.constantFrom<MaskDegeneracy>('out-of-range', 'negative', 'duplicate', 'overlap', 'empty-context', 'unsorted')).map(([m, asked]) => {
    // A one-token context cannot be out of order: it gets a duplicate instead.
    const why: MaskDegeneracy = asked === 'unsorted' && m.context.length < 2 ? 'duplicate' : asked
    const L = tokenCount(g)
    const ctx = Array.from(m.context)
    const t0 = Array.from(m.targets[0]!)
    switch (why) {
      case 'out-of-range':
        ctx.push(L)
        break
      case 'negative':
        ctx.unshift(-1)
        break
      case 'duplicate':
        ctx.push(ctx[ctx.length - 1]!)
        break
      case 'overlap':
        ctx.push(t0[0]!)
        ctx.sort((a, b) => a - b)
        break
      case 'empty-context':
        ctx.length = 0
        break
      case 'unsorted':
        ctx.reverse()
        break
    }
    return { masks: { ...m, context: Int32Array.from(ctx) }, why }
  })
