/**
 * Attentive probe on frozen tokens (the protocol of V-JEPA, Bardes et al. 2024,
 * https://arxiv.org/abs/2404.08471, reduced to its core): a learned query per head cross-attends over
 * the frozen tokens of one image, the heads' pooled values are concatenated and a Linear layer
 * classifies them. Unlike average pooling it can keep *where* things are: the query learns which
 * tokens matter, and the tokens carry their positions.
 *
 *   attentiveProbe(train: {tokens [N, T, D], labels [N]}, test: {tokens [M, T, D], labels [M]}, settings)
 *     → { top1, trainTop1, curve }
 *
 *   x̂ = standardize(x)                       per feature, statistics over every train token (float64)
 *   K = x̂·Wk, V = x̂·Wv                       [T, W] each, split into H heads of W/H
 *   a_h = softmax_T(K_h · q_h / √(W/H))       one learned query q_h per head
 *   z = concat_h Σ_T a_h V_h                  [W]
 *   logits = z·Wc + b                          [C]
 *
 * Training: softmax cross-entropy, gradients from tfjs autodiff, AdamW on the host
 * (`probe-adamw.ts`; weight decay on the matrices only), fixed lr, mini-batches of a fresh order each
 * epoch. Init: Wk, Wv, Wc, q ~ trunc_normal(0.02), b = 0.
 * Determinism: params from `stream(key, 'params')`, epoch e's order from `fold(stream(key, 'data'), e)`;
 * the same call gives the same numbers on a given backend (backends may differ in the last bits).
 * Ownership: inputs are neither written nor disposed; no tensor outlives the call.
 * Accuracies are fractions in [0, 1].
 */
import * as tf from '@tensorflow/tfjs'
import { type Key, fold, permutation, stream, truncatedNormal } from '@jepa-ts/core'
import { evalError, EvalInputError } from './eval-error.ts'
import { featureStatistics, standardize } from './feature-standardizer.ts'
import { type AdamWHostState, adamwHostState } from '@jepa-ts/ops'
import { adamwStepInPlace } from './probe-adamw.ts'
import type { EpochRecord } from './linear-probe.ts'

/** Row-major `[N, T, D]` tokens on the host: N images, T tokens, D features. */
export interface HostTokens {
  readonly values: Float32Array
  readonly shape: readonly [number, number, number]
}

/** Tokens with their class labels `[N]`. */
export interface LabeledTokens {
  readonly tokens: HostTokens
  readonly labels: Int32Array
}

/** How the attentive probe is trained. */
export interface AttentiveProbeSettings {
  readonly numClasses: number
  readonly epochs: number
  readonly batchSize: number
  /** AdamW learning rate (constant). */
  readonly lr: number
  readonly weightDecay: number
  /** Query heads H; the width W is the smallest multiple of H that is ≥ D. */
  readonly heads: number
  readonly key: Key
}

/** Defaults of the attentive probe (apart from classes and key). */
export const ATTENTIVE_DEFAULTS = { epochs: 30, batchSize: 128, lr: 3e-2, weightDecay: 1e-4, heads: 16 } as const

/** The probe's scores. */
export interface AttentiveProbeResult {
  readonly top1: number
  readonly trainTop1: number
  readonly curve: readonly EpochRecord[]
}

const checkTokens = (field: string, split: LabeledTokens, numClasses: number): readonly [number, number, number] => {
  const shape = split.tokens.shape
  if (shape.length !== 3 || !shape.every((x) => Number.isInteger(x) && x >= 1)) throw new EvalInputError(evalError(`${field}.tokens`, 'a positive shape [N, T, D]', `[${shape.join(', ')}]`))
  const [n, t, d] = shape
  if (split.tokens.values.length !== n * t * d) throw new EvalInputError(evalError(`${field}.tokens.values`, `${n}·${t}·${d} = ${n * t * d} values`, `${split.tokens.values.length}`))
  if (split.labels.length !== n) throw new EvalInputError(evalError(`${field}.labels`, `${n} labels (one per image)`, `${split.labels.length}`))
  for (let i = 0; i < n; i++) {
    const y = split.labels[i]!
    if (!(Number.isInteger(y) && y >= 0 && y < numClasses)) throw new EvalInputError(evalError(`${field}.labels[${i}]`, `a class in [0, ${numClasses})`, `${y}`))
  }
  return [n, t, d]
}

interface Params {
  readonly wk: AdamWHostState
  readonly wv: AdamWHostState
  readonly q: AdamWHostState
  readonly wc: AdamWHostState
  readonly b: AdamWHostState
}

const NAMES = ['wk', 'wv', 'q', 'wc', 'b'] as const

/** Logits [B, C] of standardized tokens [B, T, D] (pure tfjs; differentiable in every param). */
const logitsOf = (x: tf.Tensor3D, p: Readonly<Record<(typeof NAMES)[number], tf.Tensor>>, heads: number): tf.Tensor2D => {
  const [b, t, d] = x.shape
  const width = p.wk.shape[1]!
  const hd = width / heads
  const flat = tf.reshape(x, [b * t, d])
  const k = tf.reshape(tf.matMul(flat, p.wk as tf.Tensor2D), [b, t, heads, hd])
  const v = tf.reshape(tf.matMul(flat, p.wv as tf.Tensor2D), [b, t, heads, hd])
  const scores = tf.div(tf.sum(tf.mul(k, tf.reshape(p.q, [1, 1, heads, hd])), 3), Math.sqrt(hd)) // [B, T, H]
  const attn = tf.softmax(tf.transpose(scores, [0, 2, 1])) // [B, H, T], softmax over T
  const pooled = tf.sum(tf.mul(tf.expandDims(tf.transpose(attn, [0, 2, 1]), 3), v), 1) // [B, H, hd]
  return tf.add(tf.matMul(tf.reshape(pooled, [b, width]), p.wc as tf.Tensor2D), p.b) as tf.Tensor2D
}

const tensorsOf = (p: Params, d: number, width: number, heads: number, classes: number): Record<(typeof NAMES)[number], tf.Tensor> => ({
  wk: tf.tensor2d(Float32Array.from(p.wk.param), [d, width]),
  wv: tf.tensor2d(Float32Array.from(p.wv.param), [d, width]),
  q: tf.tensor2d(Float32Array.from(p.q.param), [heads, width / heads]),
  wc: tf.tensor2d(Float32Array.from(p.wc.param), [width, classes]),
  b: tf.tensor1d(Float32Array.from(p.b.param)),
})

const batchTensor = (values: Float32Array, rows: ArrayLike<number>, t: number, d: number): tf.Tensor3D => {
  const out = new Float32Array(rows.length * t * d)
  for (let i = 0; i < rows.length; i++) out.set(values.subarray(rows[i]! * t * d, (rows[i]! + 1) * t * d), i * t * d)
  return tf.tensor3d(out, [rows.length, t, d])
}

const accuracy = async (values: Float32Array, labels: Int32Array, p: Params, n: number, t: number, d: number, width: number, heads: number, classes: number, batchSize: number): Promise<number> => {
  const weights = tensorsOf(p, d, width, heads, classes)
  let correct = 0
  for (let start = 0; start < n; start += batchSize) {
    const rows = Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i)
    const argMax = tf.tidy(() => tf.argMax(logitsOf(batchTensor(values, rows, t, d), weights, heads), 1))
    const predicted = await argMax.data() // awaited reads: the probe runs on webgpu too, where dataSync throws
    argMax.dispose()
    rows.forEach((r, i) => {
      if (predicted[i] === labels[r]) correct++
    })
  }
  tf.dispose(Object.values(weights))
  return correct / n
}

/** Trains the attentive probe on frozen train tokens and scores it on the test tokens. */
export const attentiveProbe = async (train: LabeledTokens, test: LabeledTokens, settings: AttentiveProbeSettings): Promise<AttentiveProbeResult> => {
  const classes = settings.numClasses
  if (!(Number.isInteger(classes) && classes >= 2)) throw new EvalInputError(evalError('settings.numClasses', 'an integer ≥ 2', String(classes)))
  for (const [field, value] of [['settings.epochs', settings.epochs], ['settings.batchSize', settings.batchSize], ['settings.heads', settings.heads]] as const) {
    if (!(Number.isInteger(value) && value >= 1)) throw new EvalInputError(evalError(field, 'an integer ≥ 1', String(value)))
  }
  if (!(settings.lr > 0)) throw new EvalInputError(evalError('settings.lr', 'a number > 0', String(settings.lr)))
  const [n, t, d] = checkTokens('train', train, classes)
  const [m, tt, dd] = checkTokens('test', test, classes)
  if (tt !== t || dd !== d) throw new EvalInputError(evalError('test.tokens', `[M, ${t}, ${d}] (as train)`, `[${m}, ${tt}, ${dd}]`))
  const heads = settings.heads
  const width = heads * Math.ceil(d / heads)

  const stats = featureStatistics(train.tokens.values, n * t, d, undefined, 'train.tokens')
  const trainX = standardize(train.tokens.values, n * t, d, stats)
  const testX = standardize(test.tokens.values, m * t, d, stats)

  const k = stream(settings.key, 'params')
  const init = (name: string, size: number): AdamWHostState => adamwHostState(Float64Array.from(truncatedNormal(fold(k, name), size, 0.02)))
  const p: Params = { wk: init('wk', d * width), wv: init('wv', d * width), q: init('q', width), wc: init('wc', width * classes), b: adamwHostState(new Float64Array(classes)) }
  const dataKey = stream(settings.key, 'data')
  const curve: EpochRecord[] = []
  let step = 0
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    const order = permutation(fold(dataKey, epoch), n)
    let lossSum = 0
    let correct = 0
    for (let start = 0; start < n; start += settings.batchSize) {
      const rows = order.subarray(start, Math.min(n, start + settings.batchSize))
      const weights = tensorsOf(p, d, width, heads, classes)
      const x = batchTensor(trainX, rows, t, d)
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(rows, (r) => train.labels[r]!), 'int32'), classes))
      const { value, grads, predicted } = tf.tidy(() => {
        let predictedRows: tf.Tensor | undefined
        const f = (...ws: tf.Tensor[]): tf.Scalar => {
          const w = Object.fromEntries(NAMES.map((name, i) => [name, ws[i]!])) as Record<(typeof NAMES)[number], tf.Tensor>
          const logits = logitsOf(x, w, heads)
          predictedRows = tf.keep(tf.argMax(logits, 1))
          return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar
        }
        const r = tf.valueAndGrads(f)(NAMES.map((name) => weights[name]))
        return { ...r, predicted: predictedRows! }
      })
      const hostGrads = await Promise.all(grads.map(async (g) => Float64Array.from(await g.data())))
      step++
      NAMES.forEach((name, i) => adamwStepInPlace(p[name], hostGrads[i]!, step, settings.lr, name === 'b' || name === 'q' ? 0 : settings.weightDecay))
      lossSum += (await value.data())[0]! * rows.length
      const pr = await predicted.data()
      rows.forEach((r, i) => {
        if (pr[i] === train.labels[r]) correct++
      })
      tf.dispose([value, ...grads, predicted, x, y, ...Object.values(weights)])
    }
    curve.push({ epoch, loss: lossSum / n, accuracy: correct / n })
  }
  const bs = Math.max(settings.batchSize, 256)
  return {
    top1: await accuracy(testX, test.labels, p, m, t, d, width, heads, classes, bs),
    trainTop1: await accuracy(trainX, train.labels, p, n, t, d, width, heads, classes, bs),
    curve,
  }
}
