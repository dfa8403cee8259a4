/**
 * The playground's trainer: a tiny I-JEPA or MAE trained on a few thousand small gray images, one
 * step at a time, with the masks each step drew and a kNN score on demand. Browser-safe (it imports
 * only the browser roots of core, masks, ssl, train and eval, plus tfjs), so the page bundles it
 * and Node tests run the very same code on tfjs's cpu backend.
 *
 *   const t = playgroundTrainer({ family: 'ijepa', train, test, seed: 0 })
 *   const r = t.step()            // { step: 1, loss, masks: { kind: 'ijepa', context, targets } }
 *   const top1 = await t.knn()    // kNN top-1 (k = 20, fewer when fewer train images) on `test` from `family.features` of `train`
 *   t.dispose()
 *
 * Contract: images are `PlaygroundImages` (N·H·W gray bytes, H = W ≤ 32, labels in [0, classes));
 * they are zero-padded, centered, to 32 × 32 (patch 4 → an 8 × 8 grid) and scaled to [0, 1], as
 * `toBatchTensor(ds, idx, { padTo: 32 })` does in Node. Step s (1-based) trains on batch s of a
 * fixed shuffled order (seeded), with key `fold(key, s − 1)`; the masks reported are the ones the
 * family's step drew with that key (the collator / `randomMasking` with `stream(key, 'mask')`),
 * so what the page draws is what was trained on. The trainer owns its state; `dispose` frees it.
 */
import * as tf from '@tensorflow/tfjs'
import { type Key, fold, keyOf, stream } from '@jepa-ts/core'
import { type CollatedMasks, grid, maskCollator, multiBlockDefaults, randomMasking, rowOf } from '@jepa-ts/masks'
import { type IjepaConfigInput, type MaeConfigInput, decodeIjepaConfigOrThrow, decodeMaeConfigOrThrow, fashionInputs, ijepa, mae, patchGrid } from '@jepa-ts/ssl'
import { type Family, type StepMetrics, type TrainState, disposeState } from '@jepa-ts/train'
import { knnClassify } from '@jepa-ts/eval'

/** Gray images with one label each, as the server's playground data route sends them. */
export interface PlaygroundImages {
  readonly count: number
  readonly height: number
  readonly width: number
  /** count·height·width bytes, image-major. */
  readonly pixels: Uint8Array
  readonly labels: Int32Array
  readonly classNames: readonly string[]
}

export type PlaygroundFamily = 'ijepa' | 'mae'

/** The masks one step drew for its first image: token indices on the 8 × 8 grid. */
export type StepMasks =
  | { readonly kind: 'ijepa'; readonly context: readonly number[]; readonly targets: readonly (readonly number[])[] }
  | { readonly kind: 'mae'; readonly removed: readonly number[] }

export interface StepReport {
  readonly step: number
  readonly loss: number
  /** Everything the family's step reported (I-JEPA: contextTokens, targetTokens, targetBlocks, …). */
  readonly metrics: StepMetrics
  readonly masks: StepMasks
  /** The first image of the batch, 32 × 32 values in [0, 1] (for drawing under the masks). */
  readonly image: Float32Array
}

export interface PlaygroundOptions {
  readonly family: PlaygroundFamily
  readonly train: PlaygroundImages
  readonly test: PlaygroundImages
  readonly seed?: number
  readonly batchSize?: number
  /** Schedule length (lr warm-up then cosine over it); the page may run past it at the final lr. */
  readonly totalSteps?: number
  /** Train images whose features the kNN searches (default: all of `train`, at most 2000). */
  readonly knnTrain?: number
}

export interface PlaygroundTrainer {
  readonly family: Family
  readonly grid: readonly [number, number]
  readonly step: () => StepReport
  readonly knn: () => Promise<number>
  readonly dispose: () => void
}

/** Side the images are padded to, and the patch size: an 8 × 8 token grid. */
export const SIDE = 32
export const PATCH = 4

/** The tiny I-JEPA of the playground (≈ 20 k parameters). */
export const playgroundIjepaInput: IjepaConfigInput = {
  image: [SIDE, SIDE, 1],
  patchSize: PATCH,
  encoder: { dim: 32, depth: 2, heads: 2 },
  predictor: { dim: 16, depth: 1 },
  masks: { ...multiBlockDefaults, strategy: 'multi-block-corrected', minKeep: 4 },
  energy: 'smoothL1',
  optimizer: { lr: 2e-3, startLr: 5e-4, finalLr: 1e-5, warmupSteps: 10, weightDecay: 0.04, finalWeightDecay: 0.1 },
  ema: [0.99, 1],
  ...fashionInputs,
}

/** The tiny MAE of the playground. */
export const playgroundMaeInput: MaeConfigInput = {
  image: [SIDE, SIDE, 1],
  patchSize: PATCH,
  encoder: { dim: 32, depth: 2, heads: 2 },
  decoder: { dim: 16, depth: 1, heads: 2 },
  maskRatio: 0.75,
  normPix: true,
  optimizer: { lr: 2e-3, startLr: 5e-4, finalLr: 1e-5, warmupSteps: 10, weightDecay: 0.05 },
  ...fashionInputs,
}

/** Checks the images' shape and sizes; throws naming the field and what was expected. */
export const checkImages = (name: string, d: PlaygroundImages): PlaygroundImages => {
  const fail = (field: string, expected: string, got: unknown): never => { throw new Error(`playground ${name}.${field}: expected ${expected}, got ${String(got)}`) }
  if (!(Number.isInteger(d.count) && d.count >= 1)) fail('count', 'a positive integer', d.count)
  if (!(Number.isInteger(d.height) && d.height >= 1 && d.height <= SIDE)) fail('height', `an integer in 1..${SIDE}`, d.height)
  if (d.width !== d.height) fail('width', `the height ${d.height} (square images)`, d.width)
  if (d.pixels.length !== d.count * d.height * d.width) fail('pixels', `${d.count * d.height * d.width} bytes`, d.pixels.length)
  if (d.labels.length !== d.count) fail('labels', `${d.count} labels`, d.labels.length)
  if (d.classNames.length < 2) fail('classNames', 'at least 2 classes', d.classNames.length)
  if (d.labels.some((l) => !(l >= 0 && l < d.classNames.length))) fail('labels', `values in 0..${d.classNames.length - 1}`, 'a label outside')
  return d
}

/** Images `indices` as [B, 32, 32, 1] values in [0, 1], zero-padded centered (odd extra to the bottom/right). */
export const batchOf = (d: PlaygroundImages, indices: ArrayLike<number>): Float32Array => {
  const { height: h, width: w } = d
  const top = Math.floor((SIDE - h) / 2)
  const left = Math.floor((SIDE - w) / 2)
  const out = new Float32Array(indices.length * SIDE * SIDE)
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b]! * h * w
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) out[b * SIDE * SIDE + (y + top) * SIDE + x + left] = d.pixels[src + y * w + x]! / 255
    }
  }
  return out
}

/** A permutation of 0..n−1 from `seed` (mulberry32 + Fisher–Yates). */
export const shuffled = (n: number, seed: number): Int32Array => {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const p = Int32Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    const t = p[i]!
    p[i] = p[j]!
    p[j] = t
  }
  return p
}

const familyOf = (name: PlaygroundFamily, totalSteps: number): { readonly family: Family; readonly masksOf: (key: Key, batchSize: number) => StepMasks } => {
  if (name === 'ijepa') {
    const config = decodeIjepaConfigOrThrow(playgroundIjepaInput, 'playground')
    const [gh, gw] = patchGrid(config)
    const collate = maskCollator(config.masks, grid(gh, gw))
    if (collate._tag === 'Left') throw new Error(collate.left.format())
    const firstRow = (m: CollatedMasks): StepMasks => ({ kind: 'ijepa', context: Array.from(rowOf(m.contextIdx, 0)), targets: m.targetIdx.map((t) => Array.from(rowOf(t, 0))) })
    return { family: ijepa(config, { totalSteps }), masksOf: (key, b) => firstRow(collate.right(stream(key, 'mask'), b)) }
  }
  const config = decodeMaeConfigOrThrow(playgroundMaeInput, 'playground')
  const [gh, gw] = patchGrid(config)
  return {
    family: mae(config, { totalSteps }),
    masksOf: (key, b) => {
      const m = randomMasking(stream(key, 'mask'), b, gh * gw, config.maskRatio)
      const removed: number[] = []
      for (let i = 0; i < gh * gw; i++) if (m.mask.data[i] === 1) removed.push(i)
      return { kind: 'mae', removed }
    },
  }
}

/** Features of `d`'s first `n` images under the family, in chunks, as one [n, D] tensor. */
const featuresOf = (family: Family, state: TrainState, d: PlaygroundImages, n: number, chunk = 250): tf.Tensor2D => {
  const parts: tf.Tensor2D[] = []
  for (let at = 0; at < n; at += chunk) {
    const idx = Array.from({ length: Math.min(chunk, n - at) }, (_, i) => at + i)
    parts.push(tf.tidy(() => family.features(state, tf.tensor4d(batchOf(d, idx), [idx.length, SIDE, SIDE, 1]))))
  }
  const all = tf.concat(parts, 0)
  tf.dispose(parts)
  return all
}

/** A trainer (see the module contract). */
export const playgroundTrainer = (options: PlaygroundOptions): PlaygroundTrainer => {
  const train = checkImages('train', options.train)
  const test = checkImages('test', options.test)
  const batchSize = options.batchSize ?? 32
  if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= train.count)) throw new Error(`playground batchSize: expected an integer in 1..${train.count}, got ${batchSize}`)
  const seed = options.seed ?? 0
  const { family, masksOf } = familyOf(options.family, options.totalSteps ?? 1000)
  const key = keyOf(seed)
  const order = shuffled(train.count, seed)
  const batchesPerEpoch = Math.floor(train.count / batchSize)
  const knnTrain = Math.min(options.knnTrain ?? 2000, train.count)
  let state: TrainState | undefined = family.init(key)
  const live = (): TrainState => {
    if (state === undefined) throw new Error('playground: the trainer was disposed')
    return state
  }
  return {
    family,
    grid: [SIDE / PATCH, SIDE / PATCH],
    step: () => {
      const s = live()
      const b = s.step % batchesPerEpoch
      const indices = order.subarray(b * batchSize, (b + 1) * batchSize)
      const pixels = batchOf(train, indices)
      const images = tf.tensor4d(pixels, [batchSize, SIDE, SIDE, 1])
      const stepKey = fold(key, s.step)
      try {
        const r = family.step(s, images, stepKey)
        state = r.state
        return { step: r.state.step, loss: r.metrics.loss, metrics: r.metrics, masks: masksOf(stepKey, batchSize), image: pixels.slice(0, SIDE * SIDE) }
      } finally {
        images.dispose()
      }
    },
    knn: async () => {
      const s = live()
      const trainFeatures = featuresOf(family, s, train, knnTrain)
      const testFeatures = featuresOf(family, s, test, test.count)
      try {
        const r = await knnClassify({ features: trainFeatures, labels: train.labels.slice(0, knnTrain) }, { features: testFeatures, labels: test.labels }, { numClasses: train.classNames.length, k: Math.min(20, knnTrain) })
        return r.top1
      } finally {
        tf.dispose([trainFeatures, testFeatures])
      }
    },
    dispose: () => {
      if (state !== undefined) disposeState(state)
      state = undefined
    },
  }
}
