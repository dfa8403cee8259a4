/**
 * Broadcasting binary kernels on float32: Add, Sub, Multiply, RealDiv, Maximum, Minimum,
 * SquaredDifference, Pow, Prelu, Atan2, and AddN (a running in-place Add). Law: the output has
 * the NumPy broadcast shape of the inputs and equals the cpu kernel elementwise (within float
 * rounding; Pow with a scalar exponent 2, 3, 0.5 or 1 is computed exactly as x·x, x·x·x, √x, x).
 * Other dtypes (int32 index arithmetic, bool) defer to cpu.
 */
import * as tf from '@tensorflow/tfjs'
import { BinaryOp, type BinaryOpCode } from '../addon-types.ts'
import { broadcastShape, broadcastStrides, inputList, nativeKernel, sizeOf } from '../kernel-util.ts'

const binaryKernel = (kernelName: string, op: BinaryOpCode, left: string, right: string): tf.KernelConfig =>
  nativeKernel(kernelName, (inputs, backend) => {
    const a = inputs[left]
    const b = inputs[right]
    if (a === undefined || b === undefined) return undefined
    const av = backend.floats(a)
    const bv = backend.floats(b)
    if (av === undefined || bv === undefined) return undefined
    const shape = broadcastShape(a.shape, b.shape)
    if (shape === undefined) return undefined
    const out = backend.alloc(sizeOf(shape))
    backend.addon.binary(op, out, av, bv, shape, broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape))
    return backend.output(shape, out)
  })

export const binaryKernels: readonly tf.KernelConfig[] = [
  binaryKernel(tf.Add, BinaryOp.Add, 'a', 'b'),
  binaryKernel(tf.Sub, BinaryOp.Sub, 'a', 'b'),
  binaryKernel(tf.Multiply, BinaryOp.Mul, 'a', 'b'),
  binaryKernel(tf.RealDiv, BinaryOp.Div, 'a', 'b'),
  binaryKernel(tf.Maximum, BinaryOp.Max, 'a', 'b'),
  binaryKernel(tf.Minimum, BinaryOp.Min, 'a', 'b'),
  binaryKernel(tf.SquaredDifference, BinaryOp.SqDiff, 'a', 'b'),
  binaryKernel(tf.Pow, BinaryOp.Pow, 'a', 'b'),
  binaryKernel(tf.Prelu, BinaryOp.Prelu, 'x', 'alpha'),
  binaryKernel(tf.Atan2, BinaryOp.Atan2, 'a', 'b'),
]

/** AddN: all inputs share one shape (the op checks); summed left to right into one fresh array. */
export const addNKernel = nativeKernel(tf.AddN, (inputs, backend) => {
  const ts = inputList(inputs)
  const first = ts[0]
  if (first === undefined) return undefined
  const vs = ts.map((t) => backend.floats(t))
  if (vs.some((v) => v === undefined) || ts.some((t) => t.shape.length !== first.shape.length || t.shape.some((d, i) => d !== first.shape[i]))) return undefined
  const shape = first.shape
  const out = backend.alloc(sizeOf(shape))
  const strides = broadcastStrides(shape, shape)
  const v0 = vs[0]
  if (v0 === undefined) return undefined
  if (vs.length === 1) out.set(v0)
  else {
    for (let i = 1; i < vs.length; i++) {
      const vi = vs[i]
      if (vi === undefined) return undefined
      backend.addon.binary(BinaryOp.Add, out, i === 1 ? v0 : out, vi, shape, strides, strides)
    }
  }
  return backend.output(shape, out)
})
