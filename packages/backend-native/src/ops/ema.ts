/**
 * `emaUpdate(target, online, momentum)` — the EMA target update m·target + (1 − m)·online, for
 * one tensor (map it over a param tree). Same shape in and out; a fresh tensor (inputs
 * untouched). On the native backend one pass; elsewhere composite ops. Not differentiable.
 *
 * @example
 * const t2 = emaUpdate(target, online, 0.996)
 */
import * as tf from '@tensorflow/tfjs'
import { nativeKernel, numAttr } from '../kernel-util.ts'
import { onNative, runKernel1 } from './on-native.ts'

export const EMA = 'JepaEma'

export const emaKernel = nativeKernel(EMA, (inputs, backend, attrs) => {
  const { target, online } = inputs
  const tv = target === undefined ? undefined : backend.floats(target)
  const ov = online === undefined ? undefined : backend.floats(online)
  const momentum = numAttr(attrs, 'momentum')
  if (target === undefined || tv === undefined || ov === undefined || momentum === undefined) throw new Error(`${EMA}: float32 target, online and a momentum expected`)
  const out = backend.alloc(tv.length)
  backend.addon.ema(out, tv, ov, momentum)
  return backend.output(target.shape, out)
})

/** m·target + (1 − m)·online. */
export const emaUpdate = (target: tf.Tensor, online: tf.Tensor, momentum: number): tf.Tensor => {
  if (target.shape.length !== online.shape.length || target.shape.some((d, i) => d !== online.shape[i])) {
    throw new Error(`emaUpdate: target [${target.shape.join(', ')}] and online [${online.shape.join(', ')}] differ`)
  }
  if (onNative(target, online)) return runKernel1(EMA, { target, online }, { momentum })
  return tf.tidy(() => tf.add(tf.mul(target, momentum), tf.mul(online, 1 - momentum)))
}
