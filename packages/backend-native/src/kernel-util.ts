/**
 * Shared pieces of the native kernels: `nativeKernel` wraps a kernel body that handles the
 * float32 cases and returns `undefined` for anything else (another dtype, an attribute it does
 * not support), in which case the cpu kernel of the same name runs instead — on the same data,
 * with no copy. Also attribute narrowing (attrs arrive untyped) and shape arithmetic
 * (sizes, broadcast shapes and strides, axis lists).
 */
import * as tf from '@tensorflow/tfjs'
import { NativeBackend } from './backend.ts'

/** A kernel body: a result, or `undefined` to defer to the cpu kernel. */
export type NativeKernelBody = (
  inputs: tf.NamedTensorInfoMap,
  backend: NativeBackend,
  attrs: tf.NamedAttrMap,
) => tf.TensorInfo | tf.TensorInfo[] | undefined

/** The backend name everything here registers under. */
export const BACKEND_NAME = 'native'

/** A `KernelConfig` for `native` running `body`, deferring to cpu's `kernelName` when it declines. */
export const nativeKernel = (kernelName: string, body: NativeKernelBody): tf.KernelConfig => {
  let cpu: tf.KernelFunc | undefined
  return {
    kernelName,
    backendName: BACKEND_NAME,
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args
      if (!(backend instanceof NativeBackend)) throw new Error(`${kernelName}: the native kernel ran on another backend`)
      const r = body(inputs, backend, attrs ?? {})
      if (r !== undefined) {
        backend.count('native', kernelName)
        return r
      }
      cpu ??= tf.getKernel(kernelName, 'cpu')?.kernelFunc
      if (cpu === undefined) throw new Error(`${kernelName}: no native path for these inputs and no cpu kernel to fall back on`)
      backend.count('fallback', kernelName)
      return cpu(args)
    },
  }
}

// ---- attributes

export const boolAttr = (attrs: tf.NamedAttrMap, name: string, dflt: boolean): boolean => {
  const v = attrs[name]
  return typeof v === 'boolean' ? v : dflt
}

export const numAttr = (attrs: tf.NamedAttrMap, name: string): number | undefined => {
  const v = attrs[name]
  return typeof v === 'number' ? v : undefined
}

export const numsAttr = (attrs: tf.NamedAttrMap, name: string): number[] | undefined => {
  const v = attrs[name]
  if (typeof v === 'number') return [v]
  if (Array.isArray(v) && v.every((x): x is number => typeof x === 'number')) return v
  return undefined
}

export const strAttr = (attrs: tf.NamedAttrMap, name: string): string | undefined => {
  const v = attrs[name]
  return typeof v === 'string' ? v : undefined
}

// ---- shapes

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

/** Row-major element strides of `shape`. */
export const stridesOf = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length).fill(1)
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!
  return s
}

/** NumPy broadcast of two shapes, or undefined when they do not broadcast. */
export const broadcastShape = (a: readonly number[], b: readonly number[]): number[] | undefined => {
  const r = Math.max(a.length, b.length)
  const out = new Array<number>(r)
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1
    const y = b[b.length - r + i] ?? 1
    if (x !== y && x !== 1 && y !== 1) return undefined
    out[i] = x === 1 ? y : x
  }
  return out
}

/** Strides of an operand of `shape` read over `outShape`: 0 on broadcast (size-1 or missing) dims. */
export const broadcastStrides = (shape: readonly number[], outShape: readonly number[]): number[] => {
  const own = stridesOf(shape)
  const lead = outShape.length - shape.length
  return outShape.map((d, i) => {
    const j = i - lead
    if (j < 0) return 0
    return shape[j] === 1 && d !== 1 ? 0 : own[j]!
  })
}

/** Normalizes an axis list (negative allowed) against `rank`: sorted, unique, in range; undefined if invalid. */
export const normalizeAxes = (axes: readonly number[], rank: number): number[] | undefined => {
  const out = new Set<number>()
  for (const a of axes) {
    const n = a < 0 ? a + rank : a
    if (!Number.isInteger(n) || n < 0 || n >= rank) return undefined
    out.add(n)
  }
  return [...out].sort((x, y) => x - y)
}

/** The tensors of a variadic kernel's inputs (e.g. Concat, AddN), in order. */
export const inputList = (inputs: tf.NamedTensorInfoMap): tf.TensorInfo[] =>
  Object.keys(inputs)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => inputs[k])
    .filter((t): t is tf.TensorInfo => t !== undefined)
