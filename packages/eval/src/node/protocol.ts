/**
 * The evaluation protocol behind `jepa eval` and `jepa compare`: a trained state, the same
 * architecture at its untrained initialization, and raw pixels, each through the same linear probe,
 * attentive probe, kNN, RankMe and collapse monitor (DESIGN §3.6: every comparison shows both
 * baselines).
 *
 * Contract: features come from `family.features` over fixed samples of the train and test splits
 * (`limit` images of each, the same images for every method and every run; all when no limit),
 * padded to the family's input like in training; raw pixels use the unpadded images. RankMe and
 * collapse std are measured on the test features. Every number is a pure function of the state,
 * the data and `settings` on a given backend. No tensor outlives a call.
 *
 *   const data = evalData(train, test, { limit: 500 })              // Either<string, EvalData>
 *   const rows = await evaluateState(family, state, initKey, data.right, { ...EVAL_DEFAULTS, key })
 *   // rows: [trained, random init, raw pixels] as CompareRow (compareTable prints them)
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Key, stream } from '@jepa-ts/core'
import { type ImageDataset, toBatchArray, numClasses } from '@jepa-ts/data'
import { type Family, type TrainState, disposeState } from '@jepa-ts/train'
import type { HostMatrix } from '../feature-matrix.ts'
import { type HostTokens, ATTENTIVE_DEFAULTS, attentiveProbe } from '../attentive-probe.ts'
import { linearProbe } from '../linear-probe.ts'
import { knnClassify } from '../knn.ts'
import { rankMe } from '../rank-me.ts'
import { collapseMonitor } from '../collapse-monitor.ts'
import { rawPixelFeatures, rawPixelTokens } from '../baselines.ts'
import type { CompareRow } from '../compare-table.ts'
import { featuresOf, fixedSample, padToFor, tokensOf } from './features.ts'

/** How the representations are judged. */
export interface EvalSettings {
  /** At most this many train and test images (all when undefined). */
  readonly limit?: number
  /** The label field to probe (default: the dataset's first). */
  readonly label?: string
  readonly probeEpochs: number
  readonly probeBatchSize: number
  readonly probeLr: number
  readonly probeWeightDecay: number
  readonly knnK: number
  /** Epochs of the attentive probe; 0 turns it off. */
  readonly attentiveEpochs: number
  readonly key: Key
}

/** Defaults of `EvalSettings` (apart from the key). */
export const EVAL_DEFAULTS = { probeEpochs: 10, probeBatchSize: 256, probeLr: 1e-2, probeWeightDecay: 1e-4, knnK: 20, attentiveEpochs: ATTENTIVE_DEFAULTS.epochs } as const

/** Patch side of the raw-pixel tokens the attentive probe reads. */
export const PIXEL_TOKEN_PATCH = 4

/** The labeled splits every method is evaluated on. */
export interface EvalData {
  readonly train: ImageDataset
  readonly test: ImageDataset
  readonly trainIndices: Int32Array
  readonly testIndices: Int32Array
  readonly field: string
  readonly numClasses: number
  readonly trainLabels: Int32Array
  readonly testLabels: Int32Array
}

/** Picks the samples and labels; Left(message) naming the missing label field. */
export const evalData = (train: ImageDataset, test: ImageDataset, settings: Pick<EvalSettings, 'limit' | 'label'>): E.Either<string, EvalData> => {
  const field = settings.label ?? Object.keys(train.labels)[0]
  if (field === undefined || train.labels[field] === undefined || test.labels[field] === undefined) {
    return E.left(`--label: ${train.name} has label fields ${Object.keys(train.labels).join(', ') || 'none'}; got ${field ?? 'none'}`)
  }
  const trainIndices = fixedSample(train, settings.limit ?? train.size, 'eval-train')
  const testIndices = fixedSample(test, settings.limit ?? test.size, 'eval-test')
  const pick = (values: Int32Array, idx: Int32Array): Int32Array => Int32Array.from(idx, (i) => values[i]!)
  return E.right({
    train, test, trainIndices, testIndices, field, numClasses: numClasses(train, field),
    trainLabels: pick(train.labels[field]!, trainIndices), testLabels: pick(test.labels[field]!, testIndices),
  })
}

/** The attentive probe's top-1 on train/test tokens (undefined when off or without tokens). */
const attentiveTop1 = async (tokens: { readonly train: HostTokens; readonly test: HostTokens } | undefined, data: EvalData, settings: EvalSettings): Promise<number | undefined> => {
  if (tokens === undefined || settings.attentiveEpochs === 0) return undefined
  const r = await attentiveProbe({ tokens: tokens.train, labels: data.trainLabels }, { tokens: tokens.test, labels: data.testLabels }, {
    ...ATTENTIVE_DEFAULTS, numClasses: data.numClasses, epochs: settings.attentiveEpochs, key: stream(settings.key, 'attentive'),
  })
  return r.top1
}

/** Probe, kNN, RankMe and collapse std of one method's train/test features (and the attentive probe over its tokens, when given). */
export const scoreFeatures = async (method: string, train: HostMatrix, test: HostMatrix, data: EvalData, settings: EvalSettings, tokens?: { readonly train: HostTokens; readonly test: HostTokens }): Promise<CompareRow> => {
  const labeledTrain = { features: train, labels: data.trainLabels }
  const labeledTest = { features: test, labels: data.testLabels }
  const probe = await linearProbe(labeledTrain, labeledTest, {
    numClasses: data.numClasses, epochs: settings.probeEpochs, batchSize: settings.probeBatchSize, lr: settings.probeLr, weightDecay: settings.probeWeightDecay, key: stream(settings.key, 'probe'),
  })
  const knn = await knnClassify(labeledTrain, labeledTest, { numClasses: data.numClasses, k: Math.min(settings.knnK, train.shape[0]) })
  const finite = test.values.every((v) => Number.isFinite(v))
  const nonZero = test.values.some((v) => v !== 0)
  const attentive = finite ? await attentiveTop1(tokens, data, settings) : undefined
  return {
    method,
    linearTop1: probe.top1,
    ...(attentive === undefined ? {} : { attentiveTop1: attentive }),
    knnTop1: knn.top1,
    ...(finite && nonZero ? { rankMe: await rankMe(test) } : {}),
    ...(finite && test.shape[0] >= 2 ? { collapseStd: await collapseMonitor(test) } : {}),
  }
}

/** The raw-pixel baseline. */
export const rawPixelRow = async (data: EvalData, settings: EvalSettings): Promise<CompareRow> => {
  const host = (ds: ImageDataset, idx: Int32Array): HostMatrix => {
    const { data: values, shape } = toBatchArray(ds, idx)
    return rawPixelFeatures({ values, shape })
  }
  const tokens = (ds: ImageDataset, idx: Int32Array): HostTokens => {
    const { data: values, shape } = toBatchArray(ds, idx)
    return rawPixelTokens({ values, shape }, PIXEL_TOKEN_PATCH)
  }
  const pixelTokens = settings.attentiveEpochs === 0 ? undefined : { train: tokens(data.train, data.trainIndices), test: tokens(data.test, data.testIndices) }
  return scoreFeatures('raw pixels', host(data.train, data.trainIndices), host(data.test, data.testIndices), data, settings, pixelTokens)
}

/** A state's row (trained or not); Left(message) when the images do not fit the family's input. */
export const stateRow = async (method: string, family: Family, state: TrainState, data: EvalData, settings: EvalSettings): Promise<E.Either<string, CompareRow>> => {
  const padTo = padToFor(data.train, family)
  if (E.isLeft(padTo)) return padTo
  const train = await featuresOf(family, state, data.train, data.trainIndices, padTo.right)
  const test = await featuresOf(family, state, data.test, data.testIndices, padTo.right)
  const trainTokens = settings.attentiveEpochs === 0 ? undefined : await tokensOf(family, state, data.train, data.trainIndices, padTo.right)
  const testTokens = trainTokens === undefined ? undefined : await tokensOf(family, state, data.test, data.testIndices, padTo.right)
  return E.right(await scoreFeatures(method, train, test, data, settings, trainTokens !== undefined && testTokens !== undefined ? { train: trainTokens, test: testTokens } : undefined))
}

/** The random-init baseline: `family.init(initKey)`, never trained. */
export const randomInitRow = async (method: string, family: Family, initKey: Key, data: EvalData, settings: EvalSettings): Promise<E.Either<string, CompareRow>> => {
  const state = family.init(initKey)
  try {
    return await stateRow(method, family, state, data, settings)
  } finally {
    disposeState(state)
  }
}

/** Which rows `evaluateState` scores besides the trained state (both by default). */
export interface BaselineChoice {
  readonly randomInit?: boolean
  readonly rawPixels?: boolean
}

/**
 * The protocol for one trained state: its row named `method`, then (unless turned off) the random
 * init `family.init(initKey)` named `<name> (random init)` and raw pixels. The caller keeps and
 * disposes `state`.
 */
export const evaluateState = async (
  names: { readonly method: string; readonly randomInit: string },
  family: Family,
  state: TrainState,
  initKey: Key,
  data: EvalData,
  settings: EvalSettings,
  baselines: BaselineChoice = {},
): Promise<E.Either<string, readonly CompareRow[]>> => {
  const trained = await stateRow(names.method, family, state, data, settings)
  if (E.isLeft(trained)) return trained
  const random = baselines.randomInit === false ? undefined : await randomInitRow(names.randomInit, family, initKey, data, settings)
  if (random !== undefined && E.isLeft(random)) return random
  const pixels = baselines.rawPixels === false ? [] : [await rawPixelRow(data, settings)]
  return E.right([trained.right, ...(random === undefined ? [] : [random.right]), ...pixels])
}
