/**
 * `emaUpdate(target, online, momentum)` — the EMA target update m·target + (1 − m)·online for one
 * tensor (map it over a param tree). Same shape in and out; a fresh tensor (inputs untouched). Not
 * differentiable.
 *
 * Kernel: `JepaEma` inputs {target, online}, attr {momentum} → one pass over memory.
 *
 * @example
 * const t2 = emaUpdate(target, online, 0.996)
 */
import * as tf from '@tensorflow/tfjs'
import { hasKernel, runKernel1, showShape } from './dispatch.ts'

export const EMA = 'JepaEma'

/** The composite update. */
export const emaComposite = (target: tf.Tensor, online: tf.Tensor, momentum: number): tf.Tensor =>
  tf.tidy(() => tf.add(tf.mul(target, momentum), tf.mul(online, 1 - momentum)))

/** m·target + (1 − m)·online. */
export const emaUpdate = (target: tf.Tensor, online: tf.Tensor, momentum: number): tf.Tensor => {
  if (target.shape.length !== online.shape.length || target.shape.some((d, i) => d !== online.shape[i])) {
    throw new Error(`emaUpdate: target ${showShape(target)} and online ${showShape(online)} differ`)
  }
  return hasKernel(EMA, target, online) ? runKernel1(EMA, { target, online }, { momentum }) : emaComposite(target, online, momentum)
}
