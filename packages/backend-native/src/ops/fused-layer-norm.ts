/**
 * `fusedLayerNorm(x, gamma, beta, eps)` — layer norm over the last axis:
 * y = (x − mean) / √(var + eps) · γ + β, biased variance (as PyTorch's nn.LayerNorm and
 * tf.moments). Shapes: x [..., D], gamma [D], beta [D] → y [..., D].
 * On the native backend one kernel computes y and one backward kernel computes dx, dγ, dβ
 * (mean and 1/σ are recomputed, not stored); elsewhere the composite ops give the same values
 * and gradients. Paper: https://arxiv.org/abs/1607.06450
 *
 * @example
 * const y = fusedLayerNorm(tf.randomNormal([2, 8, 16]), tf.ones([16]), tf.zeros([16]), 1e-6)
 */
import * as tf from '@tensorflow/tfjs'
import { nativeKernel, numAttr, sizeOf } from '../kernel-util.ts'
import { onNative, runKernel1, runKernelN } from './on-native.ts'

export const LAYER_NORM = 'JepaLayerNorm'
export const LAYER_NORM_GRAD = 'JepaLayerNormGrad'

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

export const layerNormGradConfig: tf.GradConfig = {
  kernelName: LAYER_NORM,
  inputsToSave: ['x', 'gamma'],
  gradFunc: (dy, saved, attrs) => {
    const [x, gamma] = saved
    if (Array.isArray(dy) || x === undefined || gamma === undefined) throw new Error(`${LAYER_NORM}: gradient inputs missing`)
    // Computed once, here: the engine runs each input's thunk inside its own tidy, so tensors
    // made lazily in the first thunk would be disposed before the others return them.
    const [d0, d1, d2] = runKernelN(LAYER_NORM_GRAD, { dy, x, gamma }, attrs, 3)
    if (d0 === undefined || d1 === undefined || d2 === undefined) throw new Error('gradient kernel returned too few outputs')
    return { x: () => d0, gamma: () => d1, beta: () => d2 }
  },
}

const composite = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor =>
  tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true)
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta)
  })

/** Layer norm over the last axis; x [..., D], gamma [D], beta [D] → [..., D]. */
export const fusedLayerNorm = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-6): tf.Tensor => {
  const d = x.shape[x.shape.length - 1]
  if (d === undefined || gamma.shape.length !== 1 || beta.shape.length !== 1 || gamma.shape[0] !== d || beta.shape[0] !== d) {
    throw new Error(`fusedLayerNorm: gamma and beta must be [${d}] (the last axis of x [${x.shape.join(', ')}]), got [${gamma.shape.join(', ')}] and [${beta.shape.join(', ')}]`)
  }
  return onNative(x, gamma, beta) ? runKernel1(LAYER_NORM, { x, gamma, beta }, { eps }) : composite(x, gamma, beta, eps)
}
