/**
 * Cast to float32 that always yields a `Float32Array` store.
 *
 * tfjs's cpu Cast relabels an int32 or bool tensor as float32 WITHOUT copying (no encoding loss),
 * so the "float32" result is backed by an Int32Array or Uint8Array — and every native float32
 * kernel then declines it and falls back to cpu (found by the family-step census: the mask of
 * smoothL1's gradient, scalar exponents in VICReg). Here int32/bool → float32 copies into a fresh
 * Float32Array once; every other cast defers to the cpu kernel. Law: same values as the cpu Cast.
 */
import * as tf from '@tensorflow/tfjs'
import { nativeKernel } from '../kernel-util.ts'

export const castKernel = nativeKernel(tf.Cast, (inputs, backend, attrs) => {
  const x = inputs.x
  if (x === undefined || attrs.dtype !== 'float32' || (x.dtype !== 'int32' && x.dtype !== 'bool')) return undefined
  const values = backend.data.get(x.dataId)?.values
  if (!(values instanceof Int32Array || values instanceof Uint8Array)) return undefined
  return backend.output([...x.shape], Float32Array.from(values))
})
