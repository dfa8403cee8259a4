/**
 * `Softmax` over the last axis on float32 (max-subtracted, one pass per row). Law: same shape,
 * rows sum to 1, equal to the cpu kernel within float rounding. A `dim` other than the last axis
 * defers to cpu.
 */
import * as tf from '@tensorflow/tfjs'
import { nativeKernel, numAttr } from '../kernel-util.ts'

export const softmaxKernel = nativeKernel(tf.Softmax, (inputs, backend, attrs) => {
  const { logits } = inputs
  if (logits === undefined) return undefined
  const rank = logits.shape.length
  const dim = numAttr(attrs, 'dim') ?? -1
  if (rank === 0 || (dim !== -1 && dim !== rank - 1)) return undefined
  const v = backend.floats(logits)
  const cols = logits.shape[rank - 1]!
  if (v === undefined || cols === 0) return undefined
  const out = backend.alloc(v.length)
  if (v.length > 0) backend.addon.softmax(out, v, cols, false)
  return backend.output(logits.shape, out)
})
