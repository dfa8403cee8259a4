/**
 * Linear probe on frozen features: BatchNorm without affine (train statistics, see
 * `feature-standardizer.ts`) + one Linear layer trained with softmax cross-entropy and AdamW on
 * mini-batches; the score is top-1 accuracy on the test split.
 *
 *   linearProbe(train: {features [N, D], labels [N]}, test: {features [M, D], labels [M]}, settings)
 *     → { top1, trainTop1, curve }
 *
 * Protocol (as MAE's `main_linprobe.py`, with AdamW in place of LARS):
 * - head weight ~ trunc_normal(std = 0.01), bias = 0; weight decay on the weight only;
 * - each epoch visits every train row once in a fresh order; the last batch may be smaller;
 * - `curve[e]` holds epoch e's mean mini-batch loss and accuracy (measured before each update);
 *   `trainTop1` and `top1` are measured with the final head.
 * Determinism: the head's init comes from `stream(key, 'params')`, epoch e's order from
 * `fold(stream(key, 'data'), e)`; no Math.random and no seedless tfjs randomness, so the same call
 * gives the same numbers on a given backend.
 * Where it runs: feature tensors are read once to the host; training and scoring are plain float64
 * loops (see `softmax-regression.ts` for why), so the probe allocates no tensors and gives the same
 * numbers on every backend.
 * Ownership: inputs are neither disposed nor written; the live tensor count is the same after every
 * epoch and after the call as before it.
 * Accuracies are fractions in [0, 1].
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type Key, fold, permutation, stream, truncatedNormal } from '@jepa-ts/core'
import { type EvalError, checkInteger, checkNonNegative, checkPositive, orThrow } from './eval-error.ts'
import { type LabeledFeatures, checkSplits, hostValues } from './feature-matrix.ts'
import { featureStatistics, standardize } from './feature-standardizer.ts'
import { headAccuracy, linearHead, trainHeadOnBatches } from './linear-head.ts'

/** What one epoch did: mean mini-batch cross-entropy and accuracy. */
export interface EpochRecord {
  /** 0-based epoch index. */
  readonly epoch: number
  readonly loss: number
  readonly accuracy: number
}

/** How the probe is trained. */
export interface ProbeSettings {
  readonly numClasses: number
  readonly epochs: number
  readonly batchSize: number
  /** AdamW learning rate (constant). */
  readonly lr: number
  /** AdamW decoupled weight decay on the head's weight. */
  readonly weightDecay: number
  /** Source of the head's init (`params` stream) and of the epoch orders (`data` stream). */
  readonly key: Key
  /** Called after each epoch, e.g. to print progress. */
  readonly onEpoch?: (record: EpochRecord) => void
}

/** The probe's scores. */
export interface ProbeResult {
  /** Top-1 accuracy on the test split, in [0, 1]. */
  readonly top1: number
  /** Top-1 accuracy of the final head on the train split, in [0, 1]. */
  readonly trainTop1: number
  readonly curve: readonly EpochRecord[]
}

const checkSettings = (s: ProbeSettings): E.Either<EvalError, ProbeSettings> =>
  pipe(
    checkInteger('settings.epochs', s.epochs, 1),
    E.chain(() => checkInteger('settings.batchSize', s.batchSize, 1)),
    E.chain(() => checkPositive('settings.lr', s.lr)),
    E.chain(() => checkNonNegative('settings.weightDecay', s.weightDecay)),
    E.map(() => s),
  )

/** Epoch e's mini-batches: consecutive slices of its permutation (the last may be smaller). */
function* epochBatches(order: Int32Array, batchSize: number): Generator<Int32Array> {
  for (let start = 0; start < order.length; start += batchSize) yield order.subarray(start, Math.min(order.length, start + batchSize))
}

/** Trains a linear head on frozen, standardized train features and scores it on the test split. */
export const linearProbe = async (train: LabeledFeatures, test: LabeledFeatures, settings: ProbeSettings): Promise<ProbeResult> => {
  const { trainRows, testRows, dim } = orThrow(checkSplits(train, test, settings.numClasses))
  orThrow(checkSettings(settings))
  const classes = settings.numClasses
  const trainRaw = await hostValues(train.features)
  const stats = featureStatistics(trainRaw, trainRows, dim)
  const trainStd = standardize(trainRaw, trainRows, dim, stats)
  const testStd = standardize(await hostValues(test.features), testRows, dim, stats)

  const head = linearHead(Float64Array.from(truncatedNormal(stream(settings.key, 'params'), classes * dim, 0.01)), classes, dim)
  const dataKey = stream(settings.key, 'data')
  const curve: EpochRecord[] = []
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    const order = permutation(fold(dataKey, epoch), trainRows)
    const pass = trainHeadOnBatches(head, trainStd, train.labels, epochBatches(order, settings.batchSize), settings.lr, settings.weightDecay)
    const record: EpochRecord = { epoch, loss: pass.lossSum / pass.rows, accuracy: pass.correct / pass.rows }
    curve.push(record)
    settings.onEpoch?.(record)
  }
  return { top1: headAccuracy(head, testStd, test.labels), trainTop1: headAccuracy(head, trainStd, train.labels), curve }
}
