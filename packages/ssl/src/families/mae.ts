/**
 * MAE as a composition (He et al. 2021, https://arxiv.org/abs/2111.06377; DESIGN §3.4;
 * facebookresearch/mae `models_mae.py`). One step:
 *
 *   m      = randomMasking(stream(key, 'mask'), B, L, maskRatio)     idsKeep, idsRestore, mask (1 = removed)
 *   latent = encode(v, θ.encoder, images, ctx, idsKeep)             only the visible tokens enter the encoder
 *   pred   = maeDecode(d)(θ.decoder, latent, idsRestore)            the decoder layer (mae-decoder.ts): Linear D→Dd, append mask tokens, unshuffle
 *                                                                   (a gather by idsRestore), + sin-cos pos-embed,
 *                                                                   blocks, norm, Linear Dd→p²·C   → [B, L, p²·C]
 *   loss   = maeLoss(pred, patchify(images), mask, { normPix })     MSE over the masked patches
 *   θ ← AdamW(θ, ∇θ loss), betas (0.9, 0.95), wd constant (0.05), no decay on biases, 1-D params, mask_token
 *
 * No target network (`target = {}`). Features: the encoder on the full image, average-pooled.
 * With `clsToken` (the reference's layout, for imported checkpoints): the encoder prepends
 * `encoder.cls_token` [1, 1, D] after gathering the visible tokens (its position-embedding slot is
 * zero in the reference), the decoder carries the CLS row through its blocks (no position added) and
 * drops it before the loss, and features (and `tokens`) use the patch tokens only (the reference's
 * `global_pool`); `cls_token` is not decayed, like `mask_token`.
 * Decoder param paths: `decoder_embed.*`, `mask_token` [1, 1, Dd], `decoder_blocks.{i}.*`,
 * `decoder_norm.*`, `decoder_pred.*` (the reference's names; no CLS token, fixed pos-embed not a param),
 * all created by the decoder layer's init, so summaries, param counts and FLOPs include `mask_token`.
 * Metrics: loss, lr, wd, gradNorm, visibleTokens.
 */
import * as tf from '@tensorflow/tfjs'
import { type Ctx, type Key, type ParamTree, checkParams, fold, initOrThrow, keyOf, normal, stream } from '@jepa-ts/core'
import { type Vit, encode, gatherTokens, vit } from '@jepa-ts/nn'
import { randomMasking } from '@jepa-ts/masks'
import { type DeferredStep, type Family, type TrainState, adamwInit, constant, decayExceptBiasAnd1d, gradNormDeferred, hostStep, lossAndGradsDeferred, readLossSync, warmupCosine } from '@jepa-ts/train'
import { maeLoss } from '../energies/mae.ts'
import { patchify } from '../energies/patchify.ts'
import { type StepSchedules, averagePool, branch, encoderInputOptions, indexTensor, optimizerStep, scheduleValuesAt, checkTotalSteps } from './common.ts'
import { patchGrid } from './ijepa-config.ts'
import type { MaeConfig } from './mae-config.ts'
import { type MaeDecoder, maeDecode, maeDecoder } from './mae-decoder.ts'

/**
 * Decoder params (the decoder layer's init): `decoder_embed`, `mask_token` ~ 0.02·N(0, 1), and the
 * trunk's — the tree `maeDecode(d)` takes, stored under `decoder` in the family's state.
 */
export const initMaeDecoder = (d: MaeDecoder, key: Key, encoderDim: number): ParamTree =>
  initOrThrow(d.layer, key, [[1, 1 + (d.clsToken ? 1 : 0), encoderDim], [1, d.tokens]]).params

/**
 * The MAE encoder: `encode` (patch embed, pos-embed, gather `idsKeep`, blocks, norm); with
 * `clsToken`, `encoder.cls_token` is prepended after the gather → [B, 1 + K, D].
 */
export const maeEncode = (v: Vit, clsToken: boolean) => (params: ParamTree, images: tf.Tensor, ctx: Ctx, idsKeep?: tf.Tensor): tf.Tensor =>
  tf.tidy(() => {
    if (!clsToken) return encode(v, params, images, ctx, idsKeep)
    const embedded = v.embed.apply(checkParams(v.embed, params, images.shape), images, { key: fold(ctx.key, 0), training: ctx.training }) as tf.Tensor
    const kept = idsKeep === undefined ? embedded : gatherTokens(embedded, idsKeep, 'maeEncode: idsKeep')
    const cls = tf.tile(params.cls_token as tf.Tensor, [kept.shape[0]!, 1, 1])
    const tokens = tf.concat([cls, kept], 1)
    return v.trunk.apply(checkParams(v.trunk, params, tokens.shape), tokens, { key: fold(ctx.key, 1), training: ctx.training }) as tf.Tensor
  })

/** Encoder on the visible tokens (`idsKeep` [B, K]) then the decoder: images → predicted patches [B, L, p²·C]. */
export const maeForward = (parts: MaeParts) => (params: ParamTree, images: tf.Tensor, idsKeep: tf.Tensor, idsRestore: tf.Tensor, ctx: Ctx): tf.Tensor =>
  tf.tidy(() => {
    const latent = maeEncode(parts.encoder, parts.clsToken)(branch(params, 'encoder'), images, { key: fold(ctx.key, 'encoder'), training: ctx.training }, idsKeep)
    return maeDecode(parts.decoder)(branch(params, 'decoder'), latent, idsRestore, { key: fold(ctx.key, 'decoder'), training: ctx.training })
  })

/** MAE's decay rule: the I-JEPA rule (no decay on biases and 1-D params), and none on `mask_token` or `cls_token`. */
export const maeDecays = (path: string, t: tf.Tensor): boolean => decayExceptBiasAnd1d(path, t) && !path.endsWith('mask_token') && !path.endsWith('cls_token')

/** The built parts of an MAE model. */
export interface MaeParts {
  readonly encoder: Vit
  readonly decoder: MaeDecoder
  readonly schedules: StepSchedules
  /** The reference's CLS token (see the module doc). */
  readonly clsToken: boolean
}

/** Builds the encoder, decoder and schedules of a decoded config. */
export const maeParts = (config: MaeConfig, totalSteps: number): MaeParts => {
  const [H, W, C] = config.image
  const g = patchGrid(config)
  const o = config.optimizer
  checkTotalSteps('mae', totalSteps, o.warmupSteps)
  return {
    encoder: vit({ imageSize: [H, W], patchSize: config.patchSize, inChans: C, ...config.encoder, ...encoderInputOptions(config) }),
    decoder: maeDecoder(g, config.encoder.dim, config.decoder, config.patchSize * config.patchSize * C, { clsToken: config.clsToken }),
    schedules: { lr: warmupCosine({ startLr: o.startLr, lr: o.lr, finalLr: o.finalLr, warmupSteps: o.warmupSteps, totalSteps }), weightDecay: constant(o.weightDecay) },
    clsToken: config.clsToken,
  }
}

/** Masking from `stream(key, 'mask')`, then loss and gradients over `{ encoder, decoder }`; reads nothing (loss and aux are tensors). */
export const maeLossAndGradsDeferred = (parts: MaeParts, config: MaeConfig) => (state: TrainState, images: tf.Tensor4D, key: Key) => {
  const m = randomMasking(stream(key, 'mask'), images.shape[0], parts.decoder.tokens, config.maskRatio)
  const idsKeep = indexTensor(m.idsKeep)
  const idsRestore = indexTensor(m.idsRestore)
  const mask = tf.tensor2d(m.mask.data, [m.mask.shape[0], m.mask.shape[1]])
  const target = patchify(images, config.patchSize)
  const ctx: Ctx = { key: stream(key, 'dropout'), training: true }
  const result = lossAndGradsDeferred(state.params, (p) => ({ loss: maeLoss(maeForward(parts)(p, images, idsKeep, idsRestore, ctx) as tf.Tensor3D, target, mask, { normPix: config.normPix }) }))
  tf.dispose([idsKeep, idsRestore, mask, target])
  return { ...result, visibleTokens: m.idsKeep.shape[1] }
}

/** `maeLossAndGradsDeferred` with the loss read to a host number. */
export const maeLossAndGrads = (parts: MaeParts, config: MaeConfig) => {
  const deferred = maeLossAndGradsDeferred(parts, config)
  return (state: TrainState, images: tf.Tensor4D, key: Key) => readLossSync(deferred(state, images, key))
}

/** The MAE family of a decoded config. */
export const mae = (config: MaeConfig, options: { readonly totalSteps: number }): Family => {
  const parts = maeParts(config, options.totalSteps)
  const [H, W, C] = config.image
  const lossOf = maeLossAndGradsDeferred(parts, config)
  const stepDeferred: DeferredStep = (state, images, key) => {
    const { loss, grads, visibleTokens } = lossOf(state, images, key)
    const values = scheduleValuesAt(parts.schedules, state.step)
    const norm = gradNormDeferred(grads)
    const next = optimizerStep(state.params, grads, state.opt, values, [0.9, 0.95], maeDecays)
    return { state: { step: state.step + 1, params: next.params, target: {}, opt: next.opt }, metrics: { loss, lr: values.lr, wd: values.wd, gradNorm: norm, visibleTokens } }
  }
  /** The encoder's patch tokens on the full image [B, L, D] (the CLS row, if any, left out). */
  const patchTokens = (state: TrainState, images: tf.Tensor): tf.Tensor3D => tf.tidy(() => {
    const tokens = maeEncode(parts.encoder, parts.clsToken)(branch(state.params, 'encoder'), images, { key: keyOf(0), training: false })
    return (parts.clsToken ? tf.slice(tokens, [0, 1, 0], [-1, -1, -1]) : tokens) as tf.Tensor3D
  })
  return {
    name: 'mae',
    description: `predicts the ${config.normPix ? 'per-patch normalized ' : ''}pixels of ${config.maskRatio * 100}% masked patches; MSE on masked patches; reconstruction`,
    imageDims: [H, W, C],
    featureDim: config.encoder.dim,
    init: (key) => {
      const k = stream(key, 'params')
      const encoder = initOrThrow(parts.encoder.layer, fold(k, 'encoder'), [1, H, W, C]).params
      const cls: ParamTree = config.clsToken ? { cls_token: tf.tensor3d(normal(fold(k, 'cls_token'), config.encoder.dim).map((x) => 0.02 * x), [1, 1, config.encoder.dim]) } : {}
      const params = { encoder: { ...encoder, ...cls }, decoder: initMaeDecoder(parts.decoder, fold(k, 'decoder'), config.encoder.dim) }
      return { step: 0, params, target: {}, opt: adamwInit(params) }
    },
    stepDeferred,
    step: hostStep(stepDeferred),
    lossAndGradsDeferred: (state, images, key) => {
      const { loss, grads, aux } = lossOf(state, images, key)
      return { loss, grads, aux }
    },
    features: (state, images) => tf.tidy(() => averagePool(patchTokens(state, images))),
    tokens: (state, images) => patchTokens(state, images),
  }
}
