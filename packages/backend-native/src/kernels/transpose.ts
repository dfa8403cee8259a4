/**
 * `Transpose` on float32, any rank and permutation. Law: out.shape[i] = x.shape[perm[i]] and
 * out[idx] = x[idx permuted back], exactly (a pure copy). Other dtypes defer to cpu.
 */
import * as tf from '@tensorflow/tfjs'
import { nativeKernel, numsAttr } from '../kernel-util.ts'

export const transposeKernel = nativeKernel(tf.Transpose, (inputs, backend, attrs) => {
  const { x } = inputs
  const perm = numsAttr(attrs, 'perm')
  if (x === undefined || perm === undefined || perm.length !== x.shape.length) return undefined
  const xv = backend.floats(x)
  if (xv === undefined) return undefined
  const shape = perm.map((p) => x.shape[p] ?? -1)
  if (shape.some((d) => d < 0)) return undefined
  const out = backend.alloc(xv.length)
  backend.addon.transpose(out, xv, x.shape, perm)
  return backend.output(shape, out)
})
