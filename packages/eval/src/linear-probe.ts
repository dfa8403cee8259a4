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
 * Ownership: inputs are neither disposed nor written; the live tensor count is the same after every
 * epoch and after the call as before it.
 * Accuracies are fractions in [0, 1].
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type Key, fold, stream, truncatedNormal, uniform64 } from '@jepa-ts/core'
import { type EvalError, checkInteger, checkNonNegative, checkPositive, orThrow } from './eval-error.ts'
import { type LabeledFeatures, checkSplits, hostValues } from './feature-matrix.ts'
import { featureStatistics, standardize } from './feature-standardizer.ts'
import { type AdamSlot, adamSlot, adamwUpdate, disposeSlot } from './probe-adamw.ts'
import { linearLogits, softmaxRegressionStep } from './softmax-regression.ts'

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

/** Rows per forward pass when scoring (bounds the logits tensor). */
const SCORE_CHUNK = 8192

/** A uniformly random permutation of 0..n−1 (Fisher–Yates over 53-bit uniforms from `key`). */
export const permutation = (key: Key, n: number): Int32Array => {
  const order = Int32Array.from({ length: n }, (_, i) => i)
  const u = uniform64(key, n)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u[i]! * (i + 1))
    const t = order[i]!
    order[i] = order[j]!
    order[j] = t
  }
  return order
}

const checkSettings = (s: ProbeSettings): E.Either<EvalError, ProbeSettings> =>
  pipe(
    checkInteger('settings.epochs', s.epochs, 1),
    E.chain(() => checkInteger('settings.batchSize', s.batchSize, 1)),
    E.chain(() => checkPositive('settings.lr', s.lr)),
    E.chain(() => checkNonNegative('settings.weightDecay', s.weightDecay)),
    E.map(() => s),
  )

/** Fraction of rows of a standardized host matrix whose argmax logit equals the label. */
const accuracyOf = async (weight: tf.Tensor2D, bias: tf.Tensor1D, values: Float32Array, labels: Int32Array, dim: number): Promise<number> => {
  const rows = labels.length
  let correct = 0
  for (let start = 0; start < rows; start += SCORE_CHUNK) {
    const end = Math.min(rows, start + SCORE_CHUNK)
    const predicted = tf.tidy(() => tf.argMax(linearLogits(weight, bias, tf.tensor2d(values.subarray(start * dim, end * dim), [end - start, dim])), 1))
    const p = await predicted.data()
    predicted.dispose()
    for (let i = 0; i < end - start; i++) if (p[i] === labels[start + i]) correct++
  }
  return correct / rows
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

  const x = tf.tensor2d(trainStd, [trainRows, dim])
  const y = tf.tensor1d(train.labels, 'int32')
  let weight: AdamSlot<tf.Tensor2D> = adamSlot(tf.tensor2d(truncatedNormal(stream(settings.key, 'params'), dim * classes, 0.01), [dim, classes]))
  let bias: AdamSlot<tf.Tensor1D> = adamSlot(tf.zeros([classes]))
  const dataKey = stream(settings.key, 'data')
  const curve: EpochRecord[] = []
  let step = 0
  try {
    for (let epoch = 0; epoch < settings.epochs; epoch++) {
      const order = permutation(fold(dataKey, epoch), trainRows)
      let lossSum = tf.scalar(0)
      let correctSum = tf.scalar(0)
      for (let start = 0; start < trainRows; start += settings.batchSize) {
        const rows = order.subarray(start, Math.min(trainRows, start + settings.batchSize))
        const idx = tf.tensor1d(rows, 'int32')
        const xb = tf.gather(x, idx)
        const yb = tf.gather(y, idx)
        const g = softmaxRegressionStep(weight.param, bias.param, xb, yb, classes)
        step++
        const nextWeight = adamwUpdate(weight, g.gradWeight, step, settings.lr, settings.weightDecay)
        const nextBias = adamwUpdate(bias, g.gradBias, step, settings.lr, 0)
        disposeSlot(weight)
        disposeSlot(bias)
        weight = nextWeight
        bias = nextBias
        const [l, c] = tf.tidy(() => [tf.add(lossSum, tf.mul(g.loss, rows.length)) as tf.Scalar, tf.add(correctSum, g.correct) as tf.Scalar])
        tf.dispose([lossSum, correctSum, idx, xb, yb, g.loss, g.correct, g.gradWeight, g.gradBias])
        lossSum = l
        correctSum = c
      }
      const [loss, correct] = [(await lossSum.data())[0]!, (await correctSum.data())[0]!]
      tf.dispose([lossSum, correctSum])
      const record: EpochRecord = { epoch, loss: loss / trainRows, accuracy: correct / trainRows }
      curve.push(record)
      settings.onEpoch?.(record)
    }
    const trainTop1 = await accuracyOf(weight.param, bias.param, trainStd, train.labels, dim)
    const top1 = await accuracyOf(weight.param, bias.param, testStd, test.labels, dim)
    return { top1, trainTop1, curve }
  } finally {
    disposeSlot(weight)
    disposeSlot(bias)
    tf.dispose([x, y])
  }
}
