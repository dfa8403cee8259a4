/**
 * Representations of a dataset under a family, on the host — what the evaluation protocol, the
 * training monitor and `jepa eval` / `compare` share:
 * - `padToFor(dataset, family)`: the zero-padding that fits the images to the family's input
 *   (Fashion-MNIST 28 → 32), or an error naming both shapes;
 * - `featuresOf(family, state, dataset, indices, padTo)`: `family.features` over the images in
 *   batches, gathered on the host as an `[N, D]` matrix (no tensor outlives the call), read with
 *   awaited `data()` so that it works on every backend (synchronous reads throw on webgpu);
 * - `tokensOf(...)`: the same for `family.tokens`, `[N, T, D]` (for the attentive probe);
 * - `fixedSample(dataset, count, purpose)`: the first `count` images of a fixed order of the
 *   dataset, a pure function of `SAMPLE_KEY`, the purpose and the dataset size (every run and every
 *   method sees the same images);
 * - `representationMonitor(...)`: RankMe and the collapse std of a fixed set of train images, for
 *   the training loop's `monitor`.
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type Key, keyOf, permutation, stream } from '@jepa-ts/core'
import { type ImageDataset, toBatchTensor } from '@jepa-ts/data'
import type { Family, TrainState } from '@jepa-ts/train'
import type { TrainMonitor } from '@jepa-ts/train/node'
import type { HostMatrix } from '../feature-matrix.ts'
import type { HostTokens } from '../attentive-probe.ts'
import { rankMe } from '../rank-me.ts'
import { collapseMonitor } from '../collapse-monitor.ts'

/** The key fixed samples are drawn from (fixed: every run and every method sees the same images). */
export const SAMPLE_KEY: Key = keyOf(20240601)

/** The `padTo` that makes the dataset's images the family's input size, or an error naming both. */
export const padToFor = (dataset: ImageDataset, family: Family): E.Either<string, number | undefined> => {
  const [h = 0, w = 0, c = 0] = family.imageDims
  if (dataset.height === h && dataset.width === w && dataset.channels === c) return E.right(undefined)
  if (h === w && dataset.channels === c && dataset.height <= h && dataset.width <= w) return E.right(h)
  return E.left(`${dataset.name} has ${dataset.height}×${dataset.width}×${dataset.channels} images; model.image is ${h}×${w}×${c} (images can only be zero-padded up to a square model input with the same channels)`)
}

const batchIndices = (indices: ArrayLike<number>, start: number, batchSize: number): number[] =>
  Array.from({ length: Math.min(batchSize, indices.length - start) }, (_, j) => indices[start + j]!)

/**
 * `family.features` of the images at `indices`, in batches, as a host matrix `[N, D]`; read with
 * awaited `data()` (works on every backend, webgpu included).
 */
export const featuresOf = async (family: Family, state: TrainState, dataset: ImageDataset, indices: ArrayLike<number>, padTo: number | undefined, batchSize = 256): Promise<HostMatrix> => {
  const n = indices.length
  const d = family.featureDim
  const values = new Float32Array(n * d)
  for (let start = 0; start < n; start += batchSize) {
    const images = toBatchTensor(dataset, batchIndices(indices, start, batchSize), padTo === undefined ? {} : { padTo })
    const f = family.features(state, images)
    images.dispose()
    values.set((await f.data()) as Float32Array, start * d)
    f.dispose()
  }
  return { values, shape: [n, d] }
}

/**
 * `family.tokens` of the images at `indices`, in batches, as host tokens `[N, T, D]` (awaited reads);
 * undefined when the family has no tokens.
 */
export const tokensOf = async (family: Family, state: TrainState, dataset: ImageDataset, indices: ArrayLike<number>, padTo: number | undefined, batchSize = 256): Promise<HostTokens | undefined> => {
  const tokens = family.tokens
  if (tokens === undefined) return undefined
  const n = indices.length
  let values: Float32Array | undefined
  let shape: [number, number, number] = [n, 0, 0]
  for (let start = 0; start < n; start += batchSize) {
    const images = toBatchTensor(dataset, batchIndices(indices, start, batchSize), padTo === undefined ? {} : { padTo })
    const z = tokens(state, images)
    images.dispose()
    const [, t, d] = z.shape
    if (values === undefined) {
      values = new Float32Array(n * t * d)
      shape = [n, t, d]
    }
    values.set((await z.data()) as Float32Array, start * t * d)
    z.dispose()
  }
  return { values: values ?? new Float32Array(0), shape }
}

/** The first `count` images of a fixed random order of the dataset (the same for every run). */
export const fixedSample = (dataset: ImageDataset, count: number, purpose: string): Int32Array =>
  permutation(stream(SAMPLE_KEY, purpose), dataset.size).slice(0, Math.min(count, dataset.size))

/** RankMe and collapse std of `count` fixed train images every `every` steps. */
export const representationMonitor = (family: Family, dataset: ImageDataset, padTo: number | undefined, every: number, count: number): TrainMonitor => {
  const sample = fixedSample(dataset, count, 'monitor')
  return {
    every,
    measure: async (state) => {
      const z = await featuresOf(family, state, dataset, sample, padTo)
      const finite = z.values.every((v) => Number.isFinite(v))
      if (!finite) return { rankMe: Number.NaN, collapseStd: Number.NaN }
      const allZero = z.values.every((v) => v === 0)
      return { rankMe: allZero ? 0 : await rankMe(z), collapseStd: await collapseMonitor(z) }
    },
  }
}
