/**
 * A tiny AdamW for the probe's two tensors, in `torch.optim.AdamW`'s order of operations
 * (decoupled weight decay, Loshchilov & Hutter, https://arxiv.org/abs/1711.05101):
 *
 *   t ← t + 1;  p ← p·(1 − lr·wd);  m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)          β = (0.9, 0.999), ε = 1e-8
 *
 * The probe decays the weight only, not the bias. Kept here (not imported from @jepa-ts/train) so
 * the evaluation package depends on nothing but core and tfjs.
 * Ownership: `adamwUpdate` disposes nothing it is given; the returned slot is new.
 */
import * as tf from '@tensorflow/tfjs'

/** One parameter with its moments. */
export interface AdamSlot<T extends tf.Tensor> {
  readonly param: T
  readonly m: T
  readonly v: T
}

export const ADAM_BETA1 = 0.9
export const ADAM_BETA2 = 0.999
export const ADAM_EPS = 1e-8

/** A slot with zero moments for `param` (the slot takes ownership of `param`). */
export const adamSlot = <T extends tf.Tensor>(param: T): AdamSlot<T> => ({ param, m: tf.zerosLike(param), v: tf.zerosLike(param) })

/** The slot after update number `step` (1-based) with gradient `grad`. */
export const adamwUpdate = <T extends tf.Tensor>(slot: AdamSlot<T>, grad: T, step: number, lr: number, weightDecay: number): AdamSlot<T> =>
  tf.tidy(() => {
    const decayed = weightDecay === 0 ? slot.param : tf.mul(slot.param, 1 - lr * weightDecay)
    const m = tf.add(tf.mul(slot.m, ADAM_BETA1), tf.mul(grad, 1 - ADAM_BETA1)) as T
    const v = tf.add(tf.mul(slot.v, ADAM_BETA2), tf.mul(tf.square(grad), 1 - ADAM_BETA2)) as T
    const stepSize = lr / (1 - ADAM_BETA1 ** step)
    const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - ADAM_BETA2 ** step)), ADAM_EPS)
    const param = tf.sub(decayed, tf.mul(tf.div(m, denom), stepSize)) as T
    return { param, m, v }
  })

/** Releases a slot's three tensors. */
export const disposeSlot = (slot: AdamSlot<tf.Tensor>): void => tf.dispose([slot.param, slot.m, slot.v])
