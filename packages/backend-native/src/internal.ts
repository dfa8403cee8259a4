/**
 * The one audited module of this package that touches untyped values: it turns the `require`d
 * addon into a `NativeAddon` (after checking every function is present) and reads a tensor's
 * backing array out of the cpu data store. Nothing else in the package casts.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu'
import type * as tf from '@tensorflow/tfjs'
import { ADDON_FUNCTIONS, type NativeAddon } from './addon-types.ts'

/** Checks that `raw` has every addon function, then views it as a `NativeAddon`. */
export const asAddon = (raw: unknown): NativeAddon | { readonly missing: string } => {
  if (typeof raw !== 'object' || raw === null) return { missing: 'the module exports no object' }
  for (const name of ADDON_FUNCTIONS) {
    if (typeof Reflect.get(raw, name) !== 'function') return { missing: `the addon lacks ${name}()` }
  }
  // Unavoidable: a native module is untyped; every member was checked to be a function above.
  return raw as unknown as NativeAddon
}

/** The backing Float32Array of a float32 tensor (maybe a view), or undefined when it has none. */
export const float32Values = (backend: MathBackendCPU, t: tf.TensorInfo): Float32Array | undefined => {
  if (t.dtype !== 'float32') return undefined
  const v = backend.data.get(t.dataId)?.values
  return v instanceof Float32Array ? v : undefined
}

/** The backing Int32Array of an int32 tensor, or undefined. */
export const int32Values = (backend: MathBackendCPU, t: tf.TensorInfo): Int32Array | undefined => {
  if (t.dtype !== 'int32') return undefined
  const v = backend.data.get(t.dataId)?.values
  return v instanceof Int32Array ? v : undefined
}

/** Silences MathBackendCPU's "install tfjs-node" banner (its `firstUse` field is private). */
export const silenceBanner = (backend: MathBackendCPU): void => {
  Reflect.set(backend, 'firstUse', false)
}
