/**
 * The native kernels of the GELU op (`JepaGelu` and its backward `JepaGeluGrad`, defined in
 * @jepa-ts/ops): exact GELU forward, and dx = dy·(Φ(x) + x·φ(x)) backward.
 */
import type * as tf from '@tensorflow/tfjs'
import { GELU, GELU_GRAD } from '@jepa-ts/ops'
import { nativeKernel } from '../kernel-util.ts'

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
