/**
 * The attention view of an I-JEPA run: where its predictor looks, from one target block to the
 * context tokens, over a test image.
 *
 *   attentionView(runDir, { step, index, block }, data) → Right({ weights, context, target, grid, … }) | Left(failure)
 *
 * Contract: the masks are the ones the mask gallery draws for training step `step` (the run's
 * collator with `stream(stepKey(runKey, step − 1), 'mask')` for its batch size), those of the
 * batch's first image; they are laid over test image `index` of the served dataset (padded to the
 * model input as in training), encoded by the checkpoint's context encoder and predicted by its
 * predictor (`predictorAttention`: the last predictor block's attention from target block
 * `block`'s mask tokens to each context token, mean over heads and the block's tokens). A run
 * without a checkpoint is a 404; one whose family is not I-JEPA, a `block` beyond the step's
 * target blocks, or a dataset that does not fit the model is a 400 saying which. Nothing is
 * cached: each request loads the checkpoint (small for the models this serves) and frees it.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs'
import { keyFromString, keyOf, stream } from '@jepa-ts/core'
import { toBatchArray } from '@jepa-ts/data'
import { grid as gridOf, maskCollator, rowOf } from '@jepa-ts/masks'
import { decodeIjepaConfig, ijepaParts, patchGrid } from '@jepa-ts/ssl'
import { disposeState } from '@jepa-ts/train'
import { loadCheckpointFor, stepKey } from '@jepa-ts/train/node'
import { padToFor } from '@jepa-ts/eval/node'
import { defaultFamilies } from '../commands/families.ts'
import { configOfCheckpoint } from '../commands/eval.ts'
import type { ServedData } from './datasets.ts'
import { type HttpFailure, badRequest } from './http.ts'
import { runCheckpoint } from './run-checkpoint.ts'
import { predictorAttention } from './predictor-attention.ts'

export interface AttentionView {
  readonly family: string
  readonly step: number
  readonly checkpointStep: number
  readonly index: number
  readonly block: number
  readonly targetBlocks: number
  /** The patch grid [rows, columns], the model's input side and the dataset image's side. */
  readonly grid: readonly [number, number]
  readonly inputSize: number
  readonly imageSize: number
  /** Context and target token indices (row-major on the grid), and one weight per context token. */
  readonly context: readonly number[]
  readonly target: readonly number[]
  readonly weights: readonly number[]
  readonly contextShare: number
}

export interface AttentionRequest {
  readonly step: number
  readonly index: number
  readonly block: number
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** The view of one request (see the module contract). */
export const attentionView = async (runDir: string, request: AttentionRequest, data: ServedData): Promise<E.Either<HttpFailure, AttentionView>> => {
  const read = await runCheckpoint(runDir, 'so it has no predictor to look at')
  if (E.isLeft(read)) return read
  const { path: checkpoint, file } = read.right
  const model = isRecord(file.meta.config) ? file.meta.config['model'] : undefined
  const config = decodeIjepaConfig(model, 'model')
  if (E.isLeft(config)) return E.left(badRequest(`run: ${file.meta.family} has no predictor; the attention view is for I-JEPA runs`))
  const run = await configOfCheckpoint(checkpoint, file.meta, defaultFamilies)
  if (E.isLeft(run)) return E.left({ status: 500, message: run.left })
  const served = data.get()
  if (E.isLeft(served)) return E.left({ status: 500, message: served.left })
  const test = served.right.test
  const padTo = padToFor(test, run.right.family)
  if (E.isLeft(padTo)) return E.left(badRequest(`the served dataset does not fit this run's model: ${padTo.left}`))
  const [gh, gw] = patchGrid(config.right)
  const collate = maskCollator(config.right.masks, gridOf(gh, gw))
  if (E.isLeft(collate)) return E.left({ status: 500, message: collate.left.format() })
  const masks = collate.right(stream(stepKey(keyFromString(file.meta.key), request.step - 1), 'mask'), run.right.train.batchSize)
  const targetBlocks = masks.targetIdx.length
  if (request.block >= targetBlocks) return E.left(badRequest(`block: expected an integer in 0..${targetBlocks - 1} (step ${request.step} drew ${targetBlocks} target blocks), got ${request.block}`))
  const context = Int32Array.from(rowOf(masks.contextIdx, 0))
  const target = Int32Array.from(rowOf(masks.targetIdx[request.block]!, 0))
  let loaded
  try {
    loaded = await loadCheckpointFor(run.right.family, stream(keyOf(run.right.train.seed), 'init'), checkpoint)
  } catch (e) {
    return E.left({ status: 500, message: errorText(e) })
  }
  const { data: pixels, shape } = toBatchArray(test, [request.index], padTo.right === undefined ? {} : { padTo: padTo.right })
  const image = tf.tensor4d(pixels, shape)
  try {
    const parts = ijepaParts(config.right, Math.max(run.right.train.steps ?? 0, config.right.optimizer.warmupSteps + 1))
    const { weights, contextShare } = predictorAttention(parts, loaded.state.params, image, context, target)
    return E.right({
      family: run.right.familyName,
      step: request.step,
      checkpointStep: file.meta.step,
      index: request.index,
      block: request.block,
      targetBlocks,
      grid: [gh, gw],
      inputSize: config.right.image[0],
      imageSize: test.height,
      context: Array.from(context),
      target: Array.from(target),
      weights,
      contextShare,
    })
  } finally {
    image.dispose()
    disposeState(loaded.state)
  }
}
