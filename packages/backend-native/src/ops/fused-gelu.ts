/**
 * `fusedGelu(x)` — exact GELU, x·Φ(x) = 0.5·x·(1 + erf(x/√2)) (PyTorch's nn.GELU default, not the
 * tanh approximation). Shape-preserving. On the native backend one kernel forward and one
 * backward (dx = dy·(Φ(x) + x·φ(x))); elsewhere the composite ops.
 * Paper: https://arxiv.org/abs/1606.08415
 *
 * @example
 * const y = fusedGelu(tf.tensor1d([-1, 0, 1]))  // ≈ [-0.1587, 0, 0.8413]
 */
import * as tf from '@tensorflow/tfjs'
import { nativeKernel } from '../kernel-util.ts'
import { onNative, runKernel1 } from './on-native.ts'

export const GELU = 'JepaGelu'
export const GELU_GRAD = 'JepaGeluGrad'

export const geluKernels: readonly tf.KernelConfig[] = [
  nativeKernel(GELU, (inputs, backend) => {
    const { x } = inputs
    const xv = x === undefined ? undefined : backend.floats(x)
    if (x === undefined || xv === undefined) throw new Error(`${GELU}: a float32 x expected`)
    const y = backend.alloc(xv.length)
    backend.addon.gelu(y, xv)
    return backend.output(x.shape, y)
  }),
  nativeKernel(GELU_GRAD, (inputs, backend) => {
    const { dy, x } = inputs
    const dyv = dy === undefined ? undefined : backend.floats(dy)
    const xv = x === undefined ? undefined : backend.floats(x)
    if (x === undefined || xv === undefined || dyv === undefined) throw new Error(`${GELU_GRAD}: float32 dy and x expected`)
    const dx = backend.alloc(xv.length)
    backend.addon.geluGrad(dx, dyv, xv)
    return backend.output(x.shape, dx)
  }),
]

export const geluGradConfig: tf.GradConfig = {
  kernelName: GELU,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved
    if (Array.isArray(dy) || x === undefined) throw new Error(`${GELU}: gradient inputs missing`)
    return { x: () => runKernel1(GELU_GRAD, { dy, x }, {}) }
  },
}

/** Exact GELU, elementwise. */
export const fusedGelu = (x: tf.Tensor): tf.Tensor =>
  onNative(x) ? runKernel1(GELU, { x }, {}) : tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)))
