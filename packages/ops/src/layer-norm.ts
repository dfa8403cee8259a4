/**
 * `layerNorm(x, gamma, beta, eps)` — layer norm over the last axis:
 * y = (x − mean) / √(var + eps) · γ + β, biased variance (as PyTorch's nn.LayerNorm and
 * tf.moments). Shapes: x [..., D], gamma [D], beta [D] → y [..., D]. Without gamma and beta
 * (`undefined`), the normalization alone (always composite).
 * Paper: https://arxiv.org/abs/1607.06450
 *
 * Kernels (a backend registers either or both): `JepaLayerNorm` inputs {x, gamma, beta}, attr
 * {eps} → y; `JepaLayerNormGrad` inputs {dy, x, gamma}, attr {eps} → [dx, dγ, dβ]. The gradient of
 * `JepaLayerNorm` runs `JepaLayerNormGrad` where registered, else the composite backward
 * dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·γ, x̂ = (x − mean)·rstd.
 *
 * @example
 * const y = layerNorm(tf.randomNormal([2, 8, 16]), tf.ones([16]), tf.zeros([16]), 1e-6)
 */
import * as tf from '@tensorflow/tfjs'
import { declareGradient, hasKernel, numAttr, runKernel1, runKernelN, showShape } from './dispatch.ts'

export const LAYER_NORM = 'JepaLayerNorm'
export const LAYER_NORM_GRAD = 'JepaLayerNormGrad'

/** The composite forward: the definition every kernel must agree with. */
export const layerNormComposite = (x: tf.Tensor, gamma: tf.Tensor | undefined, beta: tf.Tensor | undefined, eps: number): tf.Tensor =>
  tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true)
    const y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)))
    return gamma === undefined || beta === undefined ? y : tf.add(tf.mul(y, gamma), beta)
  })

const compositeGrad = (dy: tf.Tensor, x: tf.Tensor, gamma: tf.Tensor, eps: number): tf.Tensor[] =>
  tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true)
    const rstd = tf.rsqrt(tf.add(variance, eps))
    const xhat = tf.mul(tf.sub(x, mean), rstd)
    const rows = [...Array(x.rank - 1).keys()]
    const dGamma = tf.sum(tf.mul(dy, xhat), rows)
    const dBeta = tf.sum(dy, rows)
    const g = tf.mul(dy, gamma)
    const dx = tf.mul(rstd, tf.sub(tf.sub(g, tf.mean(g, -1, true)), tf.mul(xhat, tf.mean(tf.mul(g, xhat), -1, true))))
    return [dx, dGamma, dBeta]
  })

declareGradient({
  kernelName: LAYER_NORM,
  inputsToSave: ['x', 'gamma'],
  gradFunc: (dy, saved, attrs) => {
    const [x, gamma] = saved
    if (Array.isArray(dy) || x === undefined || gamma === undefined) throw new Error(`${LAYER_NORM}: gradient inputs missing`)
    const eps = numAttr(attrs, 'eps', 1e-6)
    // Computed once, here: the engine runs each input's thunk inside its own tidy, so tensors
    // made lazily in the first thunk would be disposed before the others return them.
    const [d0, d1, d2] = hasKernel(LAYER_NORM_GRAD, dy, x, gamma) ? runKernelN(LAYER_NORM_GRAD, { dy, x, gamma }, { eps }, 3) : compositeGrad(dy, x, gamma, eps)
    if (d0 === undefined || d1 === undefined || d2 === undefined) throw new Error(`${LAYER_NORM}: gradient returned too few tensors`)
    return { x: () => d0, gamma: () => d1, beta: () => d2 }
  },
})

/** Layer norm over the last axis; x [..., D], gamma [D], beta [D] → [..., D]. */
export const layerNorm = (x: tf.Tensor, gamma: tf.Tensor | undefined, beta: tf.Tensor | undefined, eps = 1e-6): tf.Tensor => {
  if (gamma === undefined || beta === undefined) return layerNormComposite(x, undefined, undefined, eps)
  const d = x.shape[x.shape.length - 1]
  if (d === undefined || gamma.shape.length !== 1 || beta.shape.length !== 1 || gamma.shape[0] !== d || beta.shape[0] !== d) {
    throw new Error(`layerNorm: gamma and beta must be [${d}] (the last axis of x ${showShape(x)}), got ${showShape(gamma)} and ${showShape(beta)}`)
  }
  return hasKernel(LAYER_NORM, x, gamma, beta) ? runKernel1(LAYER_NORM, { x, gamma, beta }, { eps }) : layerNormComposite(x, gamma, beta, eps)
}
