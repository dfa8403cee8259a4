/**
 * I-JEPA as a composition (Assran et al. 2023, https://arxiv.org/abs/2301.08243; DESIGN §3.1–3.2;
 * facebookresearch/ijepa `src/train.py`). One step is five named pure functions:
 *
 *   h = forwardTarget(v)(θ̄, images, targetIdx)      EMA encoder on the FULL image → LN (no affine) → gather blocks
 *   z = forwardContext(v)(θ.encoder, images, ctxIdx) only the context tokens enter the encoder
 *   ẑ = predict(pred, θ.predictor, z, ctxIdx, targetIdx)
 *   loss = energy(ẑ, h)                              smooth-L1 (β 1, mean) or L2
 *   θ ← AdamW(θ, ∇θ loss);  θ̄ ← ema(m)(θ̄, θ.encoder)  over the encoder only
 *
 * Stop-gradient is structural: `h` is computed before `lossAndGrads`, whose leaves are `params`
 * (`encoder`, `predictor`) only; the target tree `{ encoder }` is never an argument of the
 * differentiated function and is changed only by the EMA. Masks: `maskCollator(config.masks, grid)`
 * called with `stream(key, 'mask')`. Features: average-pooled tokens of the TARGET encoder.
 * Metrics: loss, lr, wd, momentum, gradNorm, contextTokens (Kc), targetTokens (Kt per block), targetBlocks,
 * relaxedImages (images whose context had to drop a constraint, `CollatedMasks.relaxations`).
 * Variants reuse everything by passing their own `energy` (see `jepa-variant-vcreg.ts`).
 */
import * as tf from '@tensorflow/tfjs'
import { type Ctx, type Key, type ParamTree, disposeTree, fold, initOrThrow, keyOf, mapTree, stream } from '@jepa-ts/core'
import { type Predictor, type Vit, encode, gatherBlocks, predict, predictor, vit } from '@jepa-ts/nn'
import { type MaskCollator, grid, maskCollator } from '@jepa-ts/masks'
import { type DeferredStep, type Family, type TrainState, adamwInit, cosineWeightDecay, gradNormDeferred, hostStep, lossAndGradsDeferred, readLossSync, warmupCosine } from '@jepa-ts/train'
import { emaOver, ijepaMomentum } from '../ema.ts'
import { smoothL1 } from '../energies/smooth-l1.ts'
import { l2 } from '../energies/l2.ts'
import { type StepSchedules, averagePool, branch, encoderInputOptions, indexTensor, normalizeFeatures, optimizerStep, scheduleValuesAt, checkTotalSteps } from './common.ts'
import { type IjepaConfig, patchGrid } from './ijepa-config.ts'

/** Prediction vs target energy: a scalar, plus optional extra scalars to log. */
export type JepaEnergy = (predicted: tf.Tensor, target: tf.Tensor) => { readonly loss: tf.Scalar; readonly aux?: Readonly<Record<string, tf.Scalar>> }

/** The energies a config can name. */
export const energyOf = (name: IjepaConfig['energy']): JepaEnergy => (name === 'l2' ? (p, t) => ({ loss: l2(p, t) }) : (p, t) => ({ loss: smoothL1(p, t, { beta: 1 }) }))

/** Deterministic forward passes (no dropout or drop-path is active, the key is never drawn from). */
const evaluation: Ctx = { key: keyOf(0), training: false }

/** Target branch: full image through the EMA encoder, layer norm without affine, gather the target blocks → [T·B, Kt, D]. */
export const forwardTarget = (v: Vit) => (targetEncoder: ParamTree, images: tf.Tensor, targetIdx: readonly tf.Tensor[]): tf.Tensor =>
  tf.tidy(() => gatherBlocks(normalizeFeatures(encode(v, targetEncoder, images, evaluation)), targetIdx))

/** Context branch: only the context tokens enter the encoder → [B, Kc, D]. */
export const forwardContext = (v: Vit) => (encoder: ParamTree, images: tf.Tensor, contextIdx: tf.Tensor, ctx: Ctx): tf.Tensor => encode(v, encoder, images, ctx, contextIdx)

/** The built parts of an I-JEPA model. */
export interface IjepaParts {
  readonly encoder: Vit
  readonly predictor: Predictor
  readonly collate: MaskCollator
  readonly schedules: StepSchedules
  readonly momentum: (step: number) => number
}

/** Builds the encoder, predictor, collator and schedules of a decoded config. */
export const ijepaParts = (config: IjepaConfig, totalSteps: number): IjepaParts => {
  const [H, W, C] = config.image
  const g = patchGrid(config)
  const { dim, depth, heads } = config.encoder
  const collate = maskCollator(config.masks, grid(g[0], g[1]))
  if (collate._tag === 'Left') throw new Error(collate.left.format())
  const o = config.optimizer
  checkTotalSteps('ijepa', totalSteps, o.warmupSteps)
  return {
    encoder: vit({ imageSize: [H, W], patchSize: config.patchSize, inChans: C, dim, depth, heads, ...encoderInputOptions(config) }),
    predictor: predictor({ grid: g, embedDim: dim, predictorDim: config.predictor.dim, depth: config.predictor.depth, heads }),
    collate: collate.right,
    schedules: {
      lr: warmupCosine({ startLr: o.startLr, lr: o.lr, finalLr: o.finalLr, warmupSteps: o.warmupSteps, totalSteps }),
      weightDecay: cosineWeightDecay({ weightDecay: o.weightDecay, finalWeightDecay: o.finalWeightDecay, totalSteps }),
    },
    momentum: ijepaMomentum({ start: config.ema[0], end: config.ema[1], totalSteps }),
  }
}

/** EMA of the target encoder toward the online encoder; the predictor has no target copy. */
export const emaUpdate = (m: number) => (target: ParamTree, params: ParamTree): ParamTree => emaOver('encoder')(m)(target, params)

/**
 * Loss and gradients over `params` only (`encoder`, `predictor`) for given masks: the target branch
 * runs first, outside the tape (stop-gradient). Reads nothing: loss and aux are scalar tensors.
 * Consumes nothing; the caller owns everything returned.
 */
export const ijepaLossAndGradsAtDeferred = (parts: IjepaParts, energy: JepaEnergy) =>
  (params: ParamTree, target: ParamTree, images: tf.Tensor, contextIdx: tf.Tensor, targetIdx: readonly tf.Tensor[], key: Key) => {
    const h = forwardTarget(parts.encoder)(branch(target, 'encoder'), images, targetIdx)
    const ctx: Ctx = { key: stream(key, 'dropout'), training: true }
    const result = lossAndGradsDeferred(params, (p) => {
      const z = forwardContext(parts.encoder)(branch(p, 'encoder'), images, contextIdx, ctx)
      return energy(predict(parts.predictor, branch(p, 'predictor'), z, contextIdx, targetIdx, { key: fold(ctx.key, 'predictor'), training: true }), h)
    })
    h.dispose()
    return result
  }

/** `ijepaLossAndGradsAtDeferred` with the loss and aux read to host numbers. */
export const ijepaLossAndGradsAt = (parts: IjepaParts, energy: JepaEnergy) => {
  const deferred = ijepaLossAndGradsAtDeferred(parts, energy)
  return (params: ParamTree, target: ParamTree, images: tf.Tensor, contextIdx: tf.Tensor, targetIdx: readonly tf.Tensor[], key: Key) =>
    readLossSync(deferred(params, target, images, contextIdx, targetIdx, key))
}

/** Masks from the collator with `stream(key, 'mask')`, then `ijepaLossAndGradsAt`. */
export const ijepaLossAndGrads = (parts: IjepaParts, energy: JepaEnergy) => (state: TrainState, images: tf.Tensor4D, key: Key) => {
  const masks = parts.collate(stream(key, 'mask'), images.shape[0])
  const contextIdx = indexTensor(masks.contextIdx)
  const targetIdx = masks.targetIdx.map(indexTensor)
  const result = ijepaLossAndGradsAt(parts, energy)(state.params, state.target, images, contextIdx, targetIdx, key)
  tf.dispose([contextIdx, ...targetIdx])
  return { ...result, masks }
}

/**
 * One update with GIVEN masks (what `ijepa`'s step does after drawing them): loss and gradients,
 * AdamW at the schedules' values for update `state.step`, then the EMA of the target toward the
 * updated encoder at momentum(state.step). Consumes `state` (its params, moments and target are
 * disposed); the caller owns the returned state and tensors. The exported PyTorch step
 * (`jepa export --to pytorch`) is checked against this one.
 */
export const ijepaStepAtDeferred = (parts: IjepaParts, energy: JepaEnergy) =>
  (state: TrainState, images: tf.Tensor, contextIdx: tf.Tensor, targetIdx: readonly tf.Tensor[], key: Key) => {
    const { loss, grads, aux } = ijepaLossAndGradsAtDeferred(parts, energy)(state.params, state.target, images, contextIdx, targetIdx, key)
    const values = scheduleValuesAt(parts.schedules, state.step)
    const momentum = parts.momentum(state.step)
    const norm = gradNormDeferred(grads)
    const next = optimizerStep(state.params, grads, state.opt, values)
    const target = emaUpdate(momentum)(state.target, next.params)
    disposeTree(state.target)
    return { state: { step: state.step + 1, params: next.params, target, opt: next.opt }, loss, aux, values, momentum, gradNorm: norm }
  }

/** `ijepaStepAtDeferred` with loss, aux and gradNorm read to host numbers (cpu, native, wasm). */
export const ijepaStepAt = (parts: IjepaParts, energy: JepaEnergy) => {
  const deferred = ijepaStepAtDeferred(parts, energy)
  return (state: TrainState, images: tf.Tensor, contextIdx: tf.Tensor, targetIdx: readonly tf.Tensor[], key: Key) => {
    const r = readLossSync(deferred(state, images, contextIdx, targetIdx, key))
    const gradNorm = r.gradNorm.dataSync()[0]!
    r.gradNorm.dispose()
    return { ...r, gradNorm }
  }
}

/** Options of `ijepa`: the schedule length and, for variants, another energy and name. */
export interface IjepaOptions {
  readonly totalSteps: number
  readonly energy?: JepaEnergy
  readonly name?: string
  readonly description?: string
}

/** The I-JEPA family of a decoded config. */
export const ijepa = (config: IjepaConfig, options: IjepaOptions): Family => {
  const parts = ijepaParts(config, options.totalSteps)
  const energy = options.energy ?? energyOf(config.energy)
  const [H, W, C] = config.image
  const stepAt = ijepaStepAtDeferred(parts, energy)
  const stepDeferred: DeferredStep = (state, images, key) => {
    const masks = parts.collate(stream(key, 'mask'), images.shape[0])
    const contextIdx = indexTensor(masks.contextIdx)
    const targetIdx = masks.targetIdx.map(indexTensor)
    const { state: next, loss, aux, values, momentum, gradNorm: norm } = stepAt(state, images, contextIdx, targetIdx, key)
    tf.dispose([contextIdx, ...targetIdx])
    const metrics = { loss, ...aux, lr: values.lr, wd: values.wd, momentum, gradNorm: norm, contextTokens: masks.contextIdx.shape[1], targetTokens: masks.targetIdx[0]!.shape[1], targetBlocks: masks.targetIdx.length, relaxedImages: masks.relaxations.length }
    return { state: next, metrics }
  }
  return {
    name: options.name ?? 'ijepa',
    description: options.description ?? `predicts EMA-encoder representations of target blocks from one context block; ${config.energy}; EMA + predictor + stop-gradient`,
    imageDims: [H, W, C],
    featureDim: config.encoder.dim,
    init: (key: Key): TrainState => {
      const k = stream(key, 'params')
      const encoder = initOrThrow(parts.encoder.layer, fold(k, 'encoder'), [1, H, W, C]).params
      const pred = initOrThrow(parts.predictor.layer, fold(k, 'predictor'), [[1, 1, config.encoder.dim], [1, 1], [1, 1, 1]]).params
      const params = { encoder, predictor: pred }
      return { step: 0, params, target: { encoder: mapTree(encoder, (x) => tf.clone(x)) }, opt: adamwInit(params) }
    },
    stepDeferred,
    step: hostStep(stepDeferred),
    lossAndGradsDeferred: (state, images, key) => {
      const masks = parts.collate(stream(key, 'mask'), images.shape[0])
      const contextIdx = indexTensor(masks.contextIdx)
      const targetIdx = masks.targetIdx.map(indexTensor)
      const r = ijepaLossAndGradsAtDeferred(parts, energy)(state.params, state.target, images, contextIdx, targetIdx, key)
      tf.dispose([contextIdx, ...targetIdx])
      return r
    },
    features: (state, images) => tf.tidy(() => averagePool(encode(parts.encoder, branch(state.target, 'encoder'), images, evaluation))),
    tokens: (state, images) => encode(parts.encoder, branch(state.target, 'encoder'), images, evaluation) as tf.Tensor3D,
  }
}
