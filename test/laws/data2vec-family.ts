/**
 * A user-style family written from the public API only (not a test file): data2vec-like — the
 * student encodes a random half of the tokens, a linear head predicts the average of the EMA
 * teacher's normalized token features over the full image, MSE; AdamW on the student, EMA on the
 * encoder. Each planted bug is a slip a family author could make; `checkFamily` must report each.
 */
import * as tf from '@tensorflow/tfjs'
import { type Ctx, type Key, type ParamTree, checkParams, disposeTree, fold, initOrThrow, keyOf, mapTree, stream, zipTree } from '@jepa-ts/core'
import { randomMasking } from '@jepa-ts/masks'
import { encode, linear, vit } from '@jepa-ts/nn'
import { emaOver } from '@jepa-ts/ssl'
import { type Family, type TrainState, adamwInit, adamwStep, disposeOptState, lossAndGrads } from '@jepa-ts/train'

/** The slips. */
export type FamilyBug = 'none' | 'target-gets-gradients' | 'leaky-step' | 'unseeded-mask' | 'ema-wrong-sign' | 'tokens-as-features' | 'state-outside-checkpoint'

const evaluation: Ctx = { key: keyOf(0), training: false }
const MOMENTUM = 0.9
const LR = 1e-2

const branch = (t: ParamTree, name: string): ParamTree => t[name] as ParamTree

/** A state with a field the checkpoint does not carry (the `state-outside-checkpoint` slip). */
type WithRunningLoss = TrainState & { readonly runningLoss?: number }

/** The data2vec-like family on 8×8×1 images (patch 4 → 4 tokens, width 8, one block). */
export const data2vecLike = (bug: FamilyBug = 'none'): Family => {
  const encoder = vit({ imageSize: 8, patchSize: 4, inChans: 1, dim: 8, depth: 1, heads: 2 })
  const head = linear(8, 8, { name: 'head' })
  const N = 4
  /** Teacher: layer-normalized (no affine) tokens of the full image, averaged: [B, 8]. */
  const teacher = (targetEncoder: ParamTree, images: tf.Tensor): tf.Tensor => {
    const h = encode(encoder, targetEncoder, images, evaluation)
    const { mean, variance } = tf.moments(h, -1, true)
    return tf.mean(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))), 1)
  }
  const student = (p: ParamTree, images: tf.Tensor, keep: tf.Tensor, key: Key): tf.Tensor => {
    const pooled = tf.mean(encode(encoder, branch(p, 'encoder'), images, { key, training: true }, keep), 1)
    return head.apply(checkParams(head, branch(p, 'head'), pooled.shape), pooled, evaluation) as tf.Tensor
  }
  const keptTokens = (key: Key, B: number): tf.Tensor2D => {
    if (bug === 'unseeded-mask') return tf.tidy(() => tf.cast(tf.topk(tf.randomUniform([B, N]), N / 2).indices, 'int32') as tf.Tensor2D)
    const m = randomMasking(stream(key, 'mask'), B, N, 0.5)
    return tf.tensor2d(m.idsKeep.data, [B, m.idsKeep.shape[1]], 'int32')
  }
  return {
    name: `data2vec-like${bug === 'none' ? '' : ` (${bug})`}`,
    description: 'predicts the EMA teacher’s averaged normalized features from half the tokens; MSE; EMA + stop-gradient',
    imageDims: [8, 8, 1],
    featureDim: 8,
    init: (key) => {
      const k = stream(key, 'params')
      const params = { encoder: initOrThrow(encoder.layer, fold(k, 'encoder'), [1, 8, 8, 1]).params, head: initOrThrow(head, fold(k, 'head'), [1, 8]).params }
      return { step: 0, params, target: { encoder: mapTree(params.encoder, (t) => tf.clone(t)) }, opt: adamwInit(params) }
    },
    step: (state, images, key) => {
      const keep = keptTokens(key, images.shape[0])
      let target = state.target
      let loss: number
      let grads: ParamTree
      if (bug === 'target-gets-gradients') {
        // The slip: the teacher runs inside the differentiated function, on params that include the target.
        const all = lossAndGrads({ online: state.params, target: state.target }, (p) => ({
          loss: tf.mean(tf.squaredDifference(student(branch(p, 'online'), images, keep, stream(key, 'dropout')), teacher(branch(branch(p, 'target'), 'encoder'), images))) as tf.Scalar,
        }))
        loss = all.loss
        grads = branch(all.grads, 'online')
        const moved = zipTree(state.target, branch(all.grads, 'target'), (t, g) => tf.sub(t, tf.mul(g, LR)))
        disposeTree(branch(all.grads, 'target'))
        target = moved
      } else {
        const h = tf.tidy(() => teacher(branch(state.target, 'encoder'), images)) // outside the tape: stop-gradient
        const r = lossAndGrads(state.params, (p) => ({ loss: tf.mean(tf.squaredDifference(student(p, images, keep, stream(key, 'dropout')), h)) as tf.Scalar }))
        h.dispose()
        loss = r.loss
        grads = r.grads
      }
      keep.dispose()
      const running = (state as WithRunningLoss).runningLoss ?? 0
      const lr = bug === 'state-outside-checkpoint' ? LR / (1 + running) : LR
      const next = adamwStep(state.params, grads, state.opt, { lr, weightDecay: 0 })
      disposeTree(state.params)
      disposeTree(grads)
      disposeOptState(state.opt)
      const ema =
        bug === 'ema-wrong-sign'
          ? tf.tidy(() => zipTree(target, { encoder: branch(next.params, 'encoder') }, (t, o) => tf.sub(tf.mul(t, MOMENTUM), tf.mul(o, 1 - MOMENTUM))))
          : emaOver('encoder')(MOMENTUM)(target, next.params)
      if (target !== state.target) disposeTree(target)
      disposeTree(state.target)
      if (bug === 'leaky-step') tf.keep(tf.scalar(loss)) // a metric tensor kept "for later" and never released
      const nextState: WithRunningLoss = { step: state.step + 1, params: next.params, target: ema, opt: next.state, ...(bug === 'state-outside-checkpoint' ? { runningLoss: 0.5 * running + 0.5 * loss } : {}) }
      return { state: nextState, metrics: { loss, lr } }
    },
    features: (state, images) =>
      tf.tidy(() => {
        const tokens = encode(encoder, branch(state.target, 'encoder'), images, evaluation)
        return (bug === 'tokens-as-features' ? tokens : tf.mean(tokens, 1)) as tf.Tensor2D
      }),
  }
}

