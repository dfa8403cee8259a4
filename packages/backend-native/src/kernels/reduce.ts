/**
 * Reductions over any axes on float32: Sum, Mean, Max, Min, Prod. Law: the output drops the
 * reduced axes (keeps them as 1 with keepDims) and equals the cpu kernel within float rounding
 * (sums use 8 partial accumulators). Contiguous axis blocks reduce in place as an
 * [outer, reduced, inner] view; scattered axes are first moved last by the native transpose.
 * Empty reductions and other dtypes defer to cpu.
 */
import * as tf from '@tensorflow/tfjs'
import { ReduceOp, type ReduceOpCode } from '../addon-types.ts'
import { boolAttr, nativeKernel, normalizeAxes, numsAttr, sizeOf } from '../kernel-util.ts'

const reduceKernel = (kernelName: string, op: ReduceOpCode, axisAttr: string): tf.KernelConfig =>
  nativeKernel(kernelName, (inputs, backend, attrs) => {
    const { x } = inputs
    if (x === undefined) return undefined
    // A null/absent axis means every axis (tf.sum(x), tf.mean(x)).
    const raw = attrs[axisAttr]
    const axisList = raw === null || raw === undefined ? [...x.shape.keys()] : numsAttr(attrs, axisAttr)
    if (axisList === undefined) return undefined
    const xv = backend.floats(x)
    const rank = x.shape.length
    const axes = normalizeAxes(axisList, rank)
    if (xv === undefined || axes === undefined || axes.length === 0) return undefined
    const keepDims = boolAttr(attrs, 'keepDims', false)
    const red = axes.reduce((p, a) => p * x.shape[a]!, 1)
    if (red === 0) return undefined
    const kept = x.shape.filter((_, i) => !axes.includes(i))
    const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept
    const out = backend.alloc(sizeOf(kept))
    const first = axes[0]!
    const last = axes[axes.length - 1]!
    if (last - first + 1 === axes.length) {
      const outer = sizeOf(x.shape.slice(0, first))
      const inner = sizeOf(x.shape.slice(last + 1))
      backend.addon.reduce(op, out, xv, outer, red, inner)
    } else {
      const perm = [...x.shape.keys()].filter((i) => !axes.includes(i)).concat(axes)
      const moved = backend.alloc(xv.length)
      backend.addon.transpose(moved, xv, x.shape, perm)
      backend.addon.reduce(op, out, moved, sizeOf(kept), red, 1)
      backend.pool.recycle(moved)
    }
    return backend.output(outShape, out)
  })

export const reduceKernels: readonly tf.KernelConfig[] = [
  reduceKernel(tf.Sum, ReduceOp.Sum, 'axis'),
  reduceKernel(tf.Mean, ReduceOp.Mean, 'axis'),
  reduceKernel(tf.Max, ReduceOp.Max, 'reductionIndices'),
  reduceKernel(tf.Min, ReduceOp.Min, 'axis'),
  reduceKernel(tf.Prod, ReduceOp.Prod, 'axis'),
]
