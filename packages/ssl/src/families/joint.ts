/**
 * The joint-embedding skeleton every view-based family shares (SimCLR, VICReg, Barlow Twins, BYOL,
 * SimSiam). One step:
 *
 *   v1, v2 = twoViews(views)(stream(key, 'augment'), images)          two augmented views per image
 *   z_i    = embed(parts)(θ, v_i)   = projector(avgPool(encoder(v_i)))   [B, out]
 *   pair families:       loss = energy(z1, z2)                           both branches differentiated
 *   predictor families:  t_i  = embed(parts)(θ_target, v_i)  OUTSIDE the differentiated function
 *                        p_i  = predictor(z_i);  loss = energy([p1, p2], [t1, t2])
 *                        θ_target = the EMA target {encoder, projector} (BYOL) or θ itself (SimSiam)
 *   θ ← AdamW(θ, ∇θ loss) with warmup-cosine lr and cosine wd;  BYOL: θ̄ ← ema(τ_k)(θ̄, θ) over
 *   ['encoder', 'projector'] with `byolMomentum`.
 *
 * Stop-gradient is structural (as in I-JEPA): the target branch is computed before `lossAndGrads`
 * and enters the differentiated function as a constant. Params: `{ encoder, projector, predictor? }`
 * (encoder paths = the ViT's reference state_dict names; heads `fc1.*`, `fc2.*`). Target: `{ encoder,
 * projector }` for BYOL, `{}` otherwise. Features: the ONLINE encoder's tokens, average-pooled.
 * Metrics: loss, the energy's terms, lr, wd, gradNorm, embeddingStd (std of the L2-normalized z1 over
 * the batch, averaged over dims: ≈ 0 collapsed, ≈ 1/√out healthy), momentum (BYOL).
 *
 * Heads (`joint-head.ts`): Linear → BatchNorm → ReLU → Linear, the references' two-layer projector and
 * predictor (SimCLR, BYOL, SimSiam; VICReg's expander has three layers), PyTorch's default Linear
 * init. BatchNorm runs in training mode only (batch statistics, no running averages): the heads are
 * never used for evaluation, so it stays a pure function of the batch and the params. Without it
 * (Linear → GELU → Linear, tried first) BYOL collapsed on Fashion-MNIST within 20 steps (loss 0.001,
 * embeddingStd 0.001): the ViT's pooled features are nearly identical at init and nothing spread them.
 */
import * as tf from '@tensorflow/tfjs'
import { type AnyLayer, type Ctx, type Key, type ParamTree, disposeTree, fold, initOrThrow, keyOf, mapTree, stream } from '@jepa-ts/core'
import { type Vit, encode, vit } from '@jepa-ts/nn'
import { type DeferredStep, type Family, type TrainState, adamwInit, cosineWeightDecay, gradNormDeferred, hostStep, lossAndGradsDeferred, readLossSync, warmupCosine } from '@jepa-ts/train'
import { type Augment } from '../augment/augment.ts'
import { viewPipeline } from '../augment/views-config.ts'
import { type MomentumSchedule, byolMomentum, emaOver } from '../ema.ts'
import { type StepSchedules, averagePool, branch, encoderInputOptions, optimizerStep, scheduleValuesAt, checkTotalSteps } from './common.ts'
import type { JointConfig } from './joint-config.ts'
import { head } from './joint-head.ts'

/** An energy's value and the terms to log (the caller owns every scalar). */
export interface EnergyValue {
  readonly loss: tf.Scalar
  readonly aux?: Readonly<Record<string, tf.Scalar>>
}

/** How a family prevents collapse, and its energy. */
export type JointObjective =
  /** Both views' embeddings enter a symmetric energy; both branches get gradients (SimCLR, VICReg, Barlow Twins). */
  | { readonly kind: 'pair'; readonly energy: (z1: tf.Tensor2D, z2: tf.Tensor2D) => EnergyValue }
  /**
   * A predictor maps each online embedding onto the other view's target embedding, which is computed
   * outside the differentiated function: from the EMA target network (`target: 'ema'`, BYOL) or from
   * the current online params (`target: 'online'`, SimSiam).
   */
  | {
      readonly kind: 'predictor'
      readonly target: 'ema' | 'online'
      readonly energy: (predicted: readonly [tf.Tensor2D, tf.Tensor2D], targets: readonly [tf.Tensor2D, tf.Tensor2D]) => EnergyValue
    }

/** What a joint-embedding family declares besides its config. */
export interface JointSpec {
  readonly name: string
  readonly description: string
  readonly objective: JointObjective
}

/** The built parts: encoder, heads, views and schedules. */
export interface JointParts {
  readonly encoder: Vit
  readonly projector: AnyLayer
  readonly predictor?: AnyLayer
  readonly views: Augment
  readonly schedules: StepSchedules
  readonly momentum?: MomentumSchedule
  readonly dims: { readonly embed: number; readonly projection: number }
}

/** Builds the parts of a decoded config; `emaBase` (BYOL's τ0) adds the momentum schedule. */
export const jointParts = (config: JointConfig, totalSteps: number, emaBase?: number): JointParts => {
  const [H, W, C] = config.image
  const { dim, depth, heads } = config.encoder
  const o = config.optimizer
  checkTotalSteps('joint family', totalSteps, o.warmupSteps)
  const out = config.projector.out
  return {
    encoder: vit({ imageSize: [H, W], patchSize: config.patchSize, inChans: C, dim, depth, heads, ...encoderInputOptions(config) }),
    projector: head(dim, config.projector.hidden, out),
    ...(config.predictor === undefined ? {} : { predictor: head(out, config.predictor.hidden, out) }),
    views: viewPipeline(config.views),
    schedules: {
      lr: warmupCosine({ startLr: o.startLr, lr: o.lr, finalLr: o.finalLr, warmupSteps: o.warmupSteps, totalSteps }),
      weightDecay: cosineWeightDecay({ weightDecay: o.weightDecay, finalWeightDecay: o.finalWeightDecay, totalSteps }),
    },
    ...(emaBase === undefined ? {} : { momentum: byolMomentum({ base: emaBase, totalSteps }) }),
    dims: { embed: dim, projection: out },
  }
}

/** Deterministic forward passes (no dropout or drop-path is active; the key is never drawn from). */
const evaluation: Ctx = { key: keyOf(0), training: false }

/** Two views of every image: `fold(augmentKey, 1)` and `fold(augmentKey, 2)`. The caller owns both. */
export const twoViews = (views: Augment) => (augmentKey: Key, images: tf.Tensor4D): readonly [tf.Tensor4D, tf.Tensor4D] => [views(fold(augmentKey, 1), images), views(fold(augmentKey, 2), images)]

/** Average-pooled encoder tokens [B, D] (the evaluation representation). */
export const represent = (parts: JointParts) => (encoder: ParamTree, images: tf.Tensor, ctx: Ctx = evaluation): tf.Tensor2D =>
  tf.tidy(() => averagePool(encode(parts.encoder, encoder, images, ctx)))

/** z = projector(represent(images)) [B, out], from a tree holding `encoder` and `projector`. */
export const embed = (parts: JointParts) => (params: ParamTree, images: tf.Tensor, ctx: Ctx = evaluation): tf.Tensor2D =>
  tf.tidy(() => parts.projector.apply(branch(params, 'projector'), represent(parts)(branch(params, 'encoder'), images, { key: fold(ctx.key, 'encoder'), training: ctx.training }), ctx) as tf.Tensor2D)

/** p = predictor(z) [B, out]. */
export const predictFrom = (parts: JointParts) => (params: ParamTree, z: tf.Tensor2D): tf.Tensor2D => {
  if (parts.predictor === undefined) throw new Error('predictFrom: this family has no predictor')
  return parts.predictor.apply(branch(params, 'predictor'), z, evaluation) as tf.Tensor2D
}

/** Std over the batch of the L2-normalized rows, averaged over dims (collapse monitor). */
export const embeddingStd = (z: tf.Tensor2D): tf.Scalar =>
  tf.tidy(() => {
    const u = tf.div(z, tf.maximum(tf.norm(z, 'euclidean', 1, true), 1e-12))
    return tf.mean(tf.sqrt(tf.moments(u, 0).variance))
  })

/**
 * The target embeddings of the two views, computed OUTSIDE any differentiated function: from
 * `state.target` (EMA) or `state.params` (online). Undefined for pair families.
 */
export const targetEmbeddings = (parts: JointParts, objective: JointObjective) => (state: TrainState, views: readonly [tf.Tensor4D, tf.Tensor4D]): readonly [tf.Tensor2D, tf.Tensor2D] | undefined => {
  if (objective.kind === 'pair') return undefined
  const source = objective.target === 'ema' ? state.target : state.params
  return [embed(parts)(source, views[0]), embed(parts)(source, views[1])]
}

/** The online loss given the views and (for predictor families) the constant targets. */
export const onlineLoss = (parts: JointParts, objective: JointObjective) => (params: ParamTree, views: readonly [tf.Tensor4D, tf.Tensor4D], targets: readonly [tf.Tensor2D, tf.Tensor2D] | undefined, ctx: Ctx): EnergyValue => {
  const z1 = embed(parts)(params, views[0], { key: fold(ctx.key, 1), training: ctx.training })
  const z2 = embed(parts)(params, views[1], { key: fold(ctx.key, 2), training: ctx.training })
  let value: EnergyValue
  if (objective.kind === 'pair') value = objective.energy(z1, z2)
  else {
    if (targets === undefined) throw new Error('onlineLoss: a predictor objective needs the target embeddings')
    value = objective.energy([predictFrom(parts)(params, z1), predictFrom(parts)(params, z2)], targets)
  }
  return { loss: value.loss, aux: { ...(value.aux ?? {}), embeddingStd: embeddingStd(z1) } }
}

/** Views from `stream(key, 'augment')`, targets outside the tape, then loss and grads over `state.params`; reads nothing. */
export const jointLossAndGradsDeferred = (parts: JointParts, objective: JointObjective) => (state: TrainState, images: tf.Tensor4D, key: Key) => {
  const views = twoViews(parts.views)(stream(key, 'augment'), images)
  const targets = targetEmbeddings(parts, objective)(state, views)
  const ctx: Ctx = { key: stream(key, 'dropout'), training: true }
  const result = lossAndGradsDeferred(state.params, (p) => onlineLoss(parts, objective)(p, views, targets, ctx))
  tf.dispose([...views, ...(targets ?? [])])
  return result
}

/** `jointLossAndGradsDeferred` with the loss and aux read to host numbers. */
export const jointLossAndGrads = (parts: JointParts, objective: JointObjective) => {
  const deferred = jointLossAndGradsDeferred(parts, objective)
  return (state: TrainState, images: tf.Tensor4D, key: Key) => readLossSync(deferred(state, images, key))
}

/** A joint-embedding family from its decoded config and its declaration. */
export const jointFamily = (config: JointConfig, spec: JointSpec, options: { readonly totalSteps: number; readonly emaBase?: number }): Family => {
  const usesEma = spec.objective.kind === 'predictor' && spec.objective.target === 'ema'
  if (usesEma && options.emaBase === undefined) throw new Error(`${spec.name}: an EMA target needs emaBase (τ0)`)
  if ((spec.objective.kind === 'predictor') !== (config.predictor !== undefined)) throw new Error(`${spec.name}: config.predictor must be given exactly when the objective uses a predictor`)
  const parts = jointParts(config, options.totalSteps, usesEma ? options.emaBase : undefined)
  const lossOf = jointLossAndGradsDeferred(parts, spec.objective)
  const stepDeferred: DeferredStep = (state, images, key) => {
    const { loss, grads, aux } = lossOf(state, images, key)
    const values = scheduleValuesAt(parts.schedules, state.step)
    const norm = gradNormDeferred(grads)
    const next = optimizerStep(state.params, grads, state.opt, values)
    let target = state.target
    const extra: Record<string, number> = {}
    if (parts.momentum !== undefined) {
      const m = parts.momentum(state.step)
      target = emaOver(['encoder', 'projector'])(m)(state.target, next.params)
      disposeTree(state.target)
      extra['momentum'] = m
    }
    return { state: { step: state.step + 1, params: next.params, target, opt: next.opt }, metrics: { loss, ...aux, lr: values.lr, wd: values.wd, gradNorm: norm, ...extra } }
  }
  const [H, W, C] = config.image
  const { embed: D, projection: P } = parts.dims
  return {
    name: spec.name,
    description: spec.description,
    imageDims: [H, W, C],
    featureDim: D,
    init: (key: Key): TrainState => {
      const k = stream(key, 'params')
      const encoder = initOrThrow(parts.encoder.layer, fold(k, 'encoder'), [1, H, W, C]).params
      const projector = initOrThrow(parts.projector, fold(k, 'projector'), [1, D]).params
      const params: ParamTree = parts.predictor === undefined ? { encoder, projector } : { encoder, projector, predictor: initOrThrow(parts.predictor, fold(k, 'predictor'), [1, P]).params }
      const target: ParamTree = usesEma ? { encoder: mapTree(encoder, (x) => tf.clone(x)), projector: mapTree(projector, (x) => tf.clone(x)) } : {}
      return { step: 0, params, target, opt: adamwInit(params) }
    },
    stepDeferred,
    step: hostStep(stepDeferred),
    lossAndGradsDeferred: lossOf,
    features: (state, images) => represent(parts)(branch(state.params, 'encoder'), images),
    tokens: (state, images) => encode(parts.encoder, branch(state.params, 'encoder'), images, evaluation) as tf.Tensor3D,
  }
}
