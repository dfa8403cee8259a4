/**
 * The native kernels of the layer-norm op (`JepaLayerNorm` and its backward `JepaLayerNormGrad`,
 * defined in @jepa-ts/ops): one kernel computes y, one backward kernel computes dx, dγ, dβ (mean
 * and 1/σ are recomputed, not stored).
 */
import type * as tf from '@tensorflow/tfjs'
import { LAYER_NORM, LAYER_NORM_GRAD } from '@jepa-ts/ops'
import { nativeKernel, numAttr, sizeOf } from '../kernel-util.ts'

const lastDimOk = (x: tf.TensorInfo, gamma: tf.TensorInfo, beta: tf.TensorInfo): boolean => {
  const d = x.shape[x.shape.length - 1]
  return d !== undefined && d > 0 && gamma.shape.length === 1 && gamma.shape[0] === d && beta.shape.length === 1 && beta.shape[0] === d
}

export const layerNormKernels: readonly tf.KernelConfig[] = [
  nativeKernel(LAYER_NORM, (inputs, backend, attrs) => {
    const { x, gamma, beta } = inputs
    if (x === undefined || gamma === undefined || beta === undefined || !lastDimOk(x, gamma, beta)) throw new Error(`${LAYER_NORM}: x [..., D], gamma [D], beta [D] expected`)
    const xv = backend.floats(x)
    const gv = backend.floats(gamma)
    const bv = backend.floats(beta)
    if (xv === undefined || gv === undefined || bv === undefined) throw new Error(`${LAYER_NORM}: float32 inputs expected`)
    const y = backend.alloc(sizeOf(x.shape))
    backend.addon.layerNorm(y, xv, gv, bv, numAttr(attrs, 'eps') ?? 1e-6)
    return backend.output(x.shape, y)
  }),
  nativeKernel(LAYER_NORM_GRAD, (inputs, backend, attrs) => {
    const { dy, x, gamma } = inputs
    if (dy === undefined || x === undefined || gamma === undefined) throw new Error(`${LAYER_NORM_GRAD}: dy, x, gamma expected`)
    const dyv = backend.floats(dy)
    const xv = backend.floats(x)
    const gv = backend.floats(gamma)
    if (dyv === undefined || xv === undefined || gv === undefined) throw new Error(`${LAYER_NORM_GRAD}: float32 inputs expected`)
    const dx = backend.alloc(xv.length)
    const dg = backend.alloc(gv.length)
    const db = backend.alloc(gv.length)
    backend.addon.layerNormGrad(dx, dg, db, dyv, xv, gv, numAttr(attrs, 'eps') ?? 1e-6)
    return [backend.output(x.shape, dx), backend.output(gamma.shape, dg), backend.output(gamma.shape, db)]
  }),
]
