/**
 * `linear(x, weight, bias)` — the affine map x·Wᵀ + b for a matrix x [N, inDim] and a PyTorch-layout
 * weight [outDim, inDim] (bias [outDim] or `undefined`) → [N, outDim].
 *
 * Kernel: `JepaLinear` inputs {x, weight, bias?}, attr {hasBias} → y (the native backend runs one
 * sgemm against Wᵀ with the bias added in the same kernel). Its gradient is stock ops that need no
 * transpose: dx = dy·W, dW = dyᵀ·x, db = Σ_rows dy. Without the kernel: an explicit transpose keeps
 * the matmul free of transpose flags (the fast path on wasm), then the bias add.
 *
 * @example
 * const y = linear(tf.ones([4, 3]), tf.ones([2, 3]), tf.zeros([2]))  // [4, 2], every entry 3
 */
import * as tf from '@tensorflow/tfjs'
import { declareGradient, hasKernel, runKernel1, showShape } from './dispatch.ts'

export const LINEAR = 'JepaLinear'

/** The composite: x·transpose(W) (+ b). */
export const linearComposite = (x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | undefined): tf.Tensor =>
  tf.tidy(() => (bias === undefined ? tf.matMul(x, tf.transpose(weight)) : tf.add(tf.matMul(x, tf.transpose(weight)), bias)))

declareGradient({
  kernelName: LINEAR,
  inputsToSave: ['x', 'weight'],
  gradFunc: (dy, saved, attrs) => {
    const [x, weight] = saved
    if (Array.isArray(dy) || x === undefined || weight === undefined) throw new Error(`${LINEAR}: gradient inputs missing`)
    const grads: Record<string, () => tf.Tensor> = { x: () => tf.matMul(dy, weight, false, false), weight: () => tf.matMul(dy, x, true, false) }
    if (attrs.hasBias === true) grads.bias = () => tf.sum(dy, 0)
    return grads
  },
})

/** x [N, inDim] · weight [outDim, inDim]ᵀ + bias [outDim] → [N, outDim]. */
export const linear = (x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | undefined): tf.Tensor => {
  const inDim = x.shape[1]
  const [outDim, wIn] = weight.shape
  if (x.rank !== 2 || weight.rank !== 2 || wIn !== inDim || (bias !== undefined && (bias.rank !== 1 || bias.shape[0] !== outDim))) {
    throw new Error(`linear: expected x [N, inDim], weight [outDim, inDim], bias [outDim]; got x ${showShape(x)}, weight ${showShape(weight)}${bias === undefined ? '' : `, bias ${showShape(bias)}`}`)
  }
  return hasKernel(LINEAR, x, weight, ...(bias === undefined ? [] : [bias]))
    ? runKernel1(LINEAR, bias === undefined ? { x, weight } : { x, weight, bias }, { hasBias: bias !== undefined })
    : linearComposite(x, weight, bias)
}
