/**
 * `gelu(x)` — exact GELU, x·Φ(x) = ½·x·(1 + erf(x/√2)) (PyTorch's nn.GELU default), elementwise;
 * Paper: https://arxiv.org/abs/1606.08415
 *
 * Kernels: `JepaGelu` inputs {x} → y; `JepaGeluGrad` inputs {dy, x} → dx. The gradient of
 * `JepaGelu` runs `JepaGeluGrad` where registered, else dx = dy·(Φ(x) + x·φ(x)) from stock ops.
 *
 * @example
 * const y = gelu(tf.tensor1d([-1, 0, 1]))  // ≈ [-0.1587, 0, 0.8413]
 */
import * as tf from '@tensorflow/tfjs'
import { declareGradient, hasKernel, runKernel1 } from './dispatch.ts'

export const GELU = 'JepaGelu'
export const GELU_GRAD = 'JepaGeluGrad'

/** The composite exact GELU (tfjs has no GELU op; `tf.erf` has a gradient). */
export const geluComposite = (x: tf.Tensor): tf.Tensor => tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)))

const compositeGrad = (dy: tf.Tensor, x: tf.Tensor): tf.Tensor =>
  tf.tidy(() => {
    const cdf = tf.mul(tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1), 0.5)
    const pdf = tf.mul(tf.exp(tf.mul(tf.square(x), -0.5)), 1 / Math.sqrt(2 * Math.PI))
    return tf.mul(dy, tf.add(cdf, tf.mul(x, pdf)))
  })

declareGradient({
  kernelName: GELU,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved
    if (Array.isArray(dy) || x === undefined) throw new Error(`${GELU}: gradient inputs missing`)
    return { x: () => (hasKernel(GELU_GRAD, dy, x) ? runKernel1(GELU_GRAD, { dy, x }, {}) : compositeGrad(dy, x)) }
  },
})

/** Exact GELU, elementwise. */
export const gelu = (x: tf.Tensor): tf.Tensor => (hasKernel(GELU, x) ? runKernel1(GELU, { x }, {}) : geluComposite(x))

