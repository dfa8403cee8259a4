/**
 * Nearest neighbours under a run's encoder and under raw pixels: for each query test image, the
 * `k` train images of a fixed sample whose features are most similar (cosine similarity), the
 * picture SSL papers show to say what an encoder learned.
 *
 *   nearestNeighbours(cache, runDir, queries, k) → Right({ step, family, queries: [{ test, label, encoder: [...], pixels: [...] }] })
 *
 * Contract: the train sample is the first `trainSample` images of a fixed order of the train split
 * (the same for every run); features come from the run's checkpoint through the evaluation's own
 * `featuresOf` (`family.features`, images zero-padded to the model input like in training), raw
 * pixels are the images as [0, 1] vectors. Train features are computed once per checkpoint version
 * (path, size, mtime) and cached; a query's features are computed per request. Ties in similarity
 * go to the lower train index. No tensor outlives a call. A run without a checkpoint (or whose
 * checkpoint vanished) is a 404; a checkpoint this build cannot load is a 500 naming the file.
 */
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { keyOf, stream } from '@jepa-ts/core'
import { type ImageDataset, toBatchArray } from '@jepa-ts/data'
import type { HostMatrix } from '@jepa-ts/eval'
import { type Family, type TrainState, disposeState } from '@jepa-ts/train'
import { loadCheckpointFor, readCheckpoint } from '@jepa-ts/train/node'
import { defaultFamilies } from '../commands/families.ts'
import { configOfCheckpoint } from '../commands/eval.ts'
import { featuresOf, fixedSample, padToFor } from '@jepa-ts/eval/node'
import { type ServedData, labelName } from './datasets.ts'
import { type HttpFailure, isMissingPathError, notFound } from './http.ts'

/** One neighbour: a train image, its label and its cosine similarity to the query. */
export interface Neighbour {
  readonly train: number
  readonly label: string
  readonly similarity: number
}

export interface NeighbourQuery {
  readonly test: number
  readonly label: string
  readonly encoder: readonly Neighbour[]
  readonly pixels: readonly Neighbour[]
}

export interface NeighbourReply {
  readonly family: string
  readonly step: number
  readonly trainSample: number
  readonly queries: readonly NeighbourQuery[]
}

/** A run's loaded encoder and its (row-normalized) train-sample features. */
interface EncodedRun {
  readonly family: Family
  readonly familyName: string
  readonly state: TrainState
  readonly padTo: number | undefined
  readonly step: number
  readonly trainFeatures: HostMatrix
}

/** What the server keeps between requests. */
export interface NeighbourCache {
  readonly data: ServedData
  readonly trainSample: number
  readonly runs: Map<string, { readonly version: string; readonly run: Promise<E.Either<HttpFailure, EncodedRun>> }>
  pixels?: HostMatrix
}

export const neighbourCache = (data: ServedData, trainSample: number): NeighbourCache => ({ data, trainSample, runs: new Map() })

/** The fixed query images of the test split (the page's default queries). */
export const defaultQueries = (test: ImageDataset, count: number): number[] => Array.from(fixedSample(test, count, 'serve-queries'))

/** Rows scaled to unit length (all-zero rows stay zero). */
export const normalizeRows = (m: HostMatrix): HostMatrix => {
  const [n, d] = m.shape
  const values = new Float32Array(m.values)
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let j = 0; j < d; j++) s += values[i * d + j]! ** 2
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0
    for (let j = 0; j < d; j++) values[i * d + j]! *= inv
  }
  return { values, shape: [n, d] }
}

/** The `k` rows of `train` most similar to row `q` of `queries` (both row-normalized): [row, similarity], best first, ties to the lower row. */
export const topK = (train: HostMatrix, queries: HostMatrix, q: number, k: number): Array<readonly [number, number]> => {
  const [n, d] = train.shape
  const sims: Array<readonly [number, number]> = []
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let j = 0; j < d; j++) s += train.values[i * d + j]! * queries.values[q * d + j]!
    sims.push([i, s])
  }
  sims.sort((a, b) => b[1] - a[1] || a[0] - b[0])
  return sims.slice(0, k)
}

const pixelMatrix = (dataset: ImageDataset, indices: ArrayLike<number>): HostMatrix => {
  const { data, shape } = toBatchArray(dataset, Array.from(indices))
  const d = shape.slice(1).reduce((a, b) => a * b, 1)
  return normalizeRows({ values: Float32Array.from(data), shape: [indices.length, d] })
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e))

const encodeRun = async (cache: NeighbourCache, checkpoint: string): Promise<E.Either<HttpFailure, EncodedRun>> => {
  const data = cache.data.get()
  if (E.isLeft(data)) return E.left({ status: 500, message: data.left })
  let file
  try {
    file = await readCheckpoint(checkpoint)
  } catch (e) {
    if (isMissingPathError(e) || isMissingPathError((e as { cause?: unknown }).cause)) return E.left(notFound(`${checkpoint}: the checkpoint vanished`))
    return E.left({ status: 500, message: errorText(e) })
  }
  const config = await configOfCheckpoint(checkpoint, file.meta, defaultFamilies)
  if (E.isLeft(config)) return E.left({ status: 500, message: config.left })
  const family = config.right.family
  const padTo = padToFor(data.right.train, family)
  if (E.isLeft(padTo)) return E.left({ status: 500, message: padTo.left })
  let loaded
  try {
    loaded = await loadCheckpointFor(family, stream(keyOf(config.right.train.seed), 'init'), checkpoint)
  } catch (e) {
    return E.left({ status: 500, message: errorText(e) })
  }
  const sample = fixedSample(data.right.train, cache.trainSample, 'serve-train')
  const trainFeatures = normalizeRows(await featuresOf(family, loaded.state, data.right.train, sample, padTo.right))
  return E.right({ family, familyName: config.right.familyName, state: loaded.state, padTo: padTo.right, step: file.meta.step, trainFeatures })
}

/** The cached encoding of a run's current checkpoint (re-encoded when the checkpoint changed). */
const encodedRun = async (cache: NeighbourCache, runDir: string): Promise<E.Either<HttpFailure, EncodedRun>> => {
  const checkpoint = join(runDir, 'checkpoint.safetensors')
  let version: string
  try {
    const s = await stat(checkpoint)
    version = `${s.size}:${s.mtimeMs}`
  } catch (e) {
    if (isMissingPathError(e)) return E.left(notFound(`${runDir}: the run has no checkpoint.safetensors (yet)`))
    throw e
  }
  const cached = cache.runs.get(runDir)
  if (cached !== undefined && cached.version === version) return cached.run
  if (cached !== undefined) {
    const old = await cached.run
    if (E.isRight(old)) disposeState(old.right.state)
  }
  const run = encodeRun(cache, checkpoint)
  cache.runs.set(runDir, { version, run })
  const r = await run
  if (E.isLeft(r)) cache.runs.delete(runDir)
  return r
}

/** The neighbours of each query test image (see the module contract). */
export const nearestNeighbours = async (cache: NeighbourCache, runDir: string, queries: readonly number[], k: number): Promise<E.Either<HttpFailure, NeighbourReply>> => {
  const run = await encodedRun(cache, runDir)
  if (E.isLeft(run)) return run
  const data = cache.data.get()
  if (E.isLeft(data)) return E.left({ status: 500, message: data.left })
  const { train, test, field } = data.right
  const sample = fixedSample(train, cache.trainSample, 'serve-train')
  cache.pixels ??= pixelMatrix(train, sample)
  const queryFeatures = normalizeRows(await featuresOf(run.right.family, run.right.state, test, queries, run.right.padTo))
  const queryPixels = pixelMatrix(test, queries)
  const named = (hits: Array<readonly [number, number]>): Neighbour[] =>
    hits.map(([row, similarity]) => ({ train: sample[row]!, label: labelName(train, field, sample[row]!), similarity }))
  const kk = Math.min(k, sample.length)
  return E.right({
    family: run.right.familyName,
    step: run.right.step,
    trainSample: sample.length,
    queries: queries.map((t, q) => ({
      test: t,
      label: labelName(test, field, t),
      encoder: named(topK(run.right.trainFeatures, queryFeatures, q, kk)),
      pixels: named(topK(cache.pixels!, queryPixels, q, kk)),
    })),
  })
}

/** Frees every cached encoder state. */
export const disposeNeighbourCache = async (cache: NeighbourCache): Promise<void> => {
  for (const { run } of cache.runs.values()) {
    const r = await run
    if (E.isRight(r)) disposeState(r.right.state)
  }
  cache.runs.clear()
}
