/**
 * The probe's trainable part: a Linear head (weight `[C, D]` as torch's `nn.Linear.weight`, bias
 * `[C]`, float64 on the host) with its AdamW state, and the two things done with it — a pass of
 * AdamW steps over given mini-batches of a standardized row-major feature matrix, and top-1 scoring.
 *
 *   trainHeadOnBatches(head, features [N·D], labels [N], batches: row-index arrays, lr, weightDecay)
 *
 * Each batch is one step: softmax cross-entropy gradient (`softmax-regression.ts`), then AdamW on
 * the weight (with `weightDecay`) and on the bias (without). The batches fully fix the result, so a
 * run can be replayed step for step against PyTorch (`nn.Linear` + `cross_entropy` + `AdamW` with
 * two param groups; test fixture). The head is state owned by its trainer and updated in place
 * (an inner loop); `step` counts the updates applied so far.
 */
import { type AdamWHostState, adamwHostState } from '@jepa-ts/ops'
import { adamwStepInPlace } from './probe-adamw.ts'
import { predictRow, softmaxRegressionStep } from './softmax-regression.ts'

/** A Linear head with its optimizer state. */
export interface LinearHead {
  readonly classes: number
  readonly dim: number
  readonly weight: AdamWHostState
  readonly bias: AdamWHostState
  /** Updates applied so far (AdamW's t). */
  step: number
}

/** What a pass over batches did: Σ batch-mean-loss × batch rows, correct argmax predictions, rows seen. */
export interface BatchPass {
  readonly lossSum: number
  readonly correct: number
  readonly rows: number
}

/** A head from an initial weight `[classes·dim]` (taken over) and a zero bias, with fresh AdamW moments. */
export const linearHead = (weight: Float64Array, classes: number, dim: number): LinearHead => ({
  classes,
  dim,
  weight: adamwHostState(weight),
  bias: adamwHostState(new Float64Array(classes)),
  step: 0,
})

/** One AdamW step per batch (row indices into `features`), in order; returns the pass's totals. */
export const trainHeadOnBatches = (head: LinearHead, features: Float32Array, labels: Int32Array, batches: Iterable<Int32Array>, lr: number, weightDecay: number): BatchPass => {
  const { classes, dim } = head
  const gradWeight = new Float64Array(classes * dim)
  const gradBias = new Float64Array(classes)
  const scratch = new Float64Array(classes)
  let lossSum = 0
  let correct = 0
  let rows = 0
  for (const batch of batches) {
    const r = softmaxRegressionStep(head.weight.param, head.bias.param, features, labels, batch, dim, classes, gradWeight, gradBias, scratch)
    head.step++
    adamwStepInPlace(head.weight, gradWeight, head.step, lr, weightDecay)
    adamwStepInPlace(head.bias, gradBias, head.step, lr, 0)
    lossSum += r.loss * batch.length
    correct += r.correct
    rows += batch.length
  }
  return { lossSum, correct, rows }
}

/** Fraction of the rows of a row-major `[labels.length, dim]` matrix whose argmax logit equals the label. */
export const headAccuracy = (head: LinearHead, features: Float32Array, labels: Int32Array): number => {
  const logits = new Float64Array(head.classes)
  let correct = 0
  for (let i = 0; i < labels.length; i++) if (predictRow(head.weight.param, head.bias.param, features, i, head.dim, head.classes, logits) === labels[i]) correct++
  return correct / labels.length
}
