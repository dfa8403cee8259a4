/**
 * When the fused ops take their native kernel: the active backend is `native` (registered by
 * this package) and every input is float32. Otherwise they compute the same function from
 * composite tfjs ops, so a model written with them runs, and differentiates, on any backend.
 */
import * as tf from '@tensorflow/tfjs'
import { BACKEND_NAME } from '../kernel-util.ts'

export const onNative = (...ts: readonly tf.Tensor[]): boolean =>
  tf.getBackend() === BACKEND_NAME && ts.every((t) => t.dtype === 'float32')

/** Runs a multi-output kernel and checks it returned `n` tensors. */
export const runKernelN = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap, n: number): tf.Tensor[] => {
  const r = tf.engine().runKernel(name, inputs, attrs)
  if (!Array.isArray(r) || r.length !== n) throw new Error(`${name}: expected ${n} outputs`)
  return r
}

/** Runs a single-output kernel. */
export const runKernel1 = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor => {
  const r = tf.engine().runKernel(name, inputs, attrs)
  if (Array.isArray(r)) throw new Error(`${name}: expected one output`)
  return r
}
