/**
 * `BatchMatMul` and `_FusedMatMul` on OpenBLAS sgemm. Law: for a [...batchA, m, k] (or
 * [..., k, m] with transposeA) and b [...batchB, k, n] (or [..., n, k] with transposeB), the
 * output is [...broadcast(batchA, batchB), m, n] and equals the cpu kernel's. `_FusedMatMul` adds
 * its bias (broadcast over the output) and applies `linear` or `relu` natively; other activations
 * and PReLU weights defer to cpu. The linear op's kernel (`JepaLinear`) is `_FusedMatMul` with
 * transposeB and the bias.
 */
import * as tf from '@tensorflow/tfjs'
import { BinaryOp, UnaryOp } from '../addon-types.ts'
import type { NativeBackend } from '../backend.ts'
import { LINEAR } from '@jepa-ts/ops'
import { type NativeKernelBody, boolAttr, broadcastShape, broadcastStrides, nativeKernel, sizeOf, strAttr } from '../kernel-util.ts'

interface Product {
  readonly shape: number[]
  readonly values: Float32Array
}

const product = (backend: NativeBackend, a: tf.TensorInfo, b: tf.TensorInfo, transA: boolean, transB: boolean): Product | undefined => {
  const av = backend.floats(a)
  const bv = backend.floats(b)
  if (av === undefined || bv === undefined || a.shape.length < 2 || b.shape.length < 2) return undefined
  const ra = a.shape.length
  const rb = b.shape.length
  const m = transA ? a.shape[ra - 1]! : a.shape[ra - 2]!
  const k = transA ? a.shape[ra - 2]! : a.shape[ra - 1]!
  const kb = transB ? b.shape[rb - 1]! : b.shape[rb - 2]!
  const n = transB ? b.shape[rb - 2]! : b.shape[rb - 1]!
  if (k !== kb) return undefined
  const batchA = a.shape.slice(0, -2)
  const batchB = b.shape.slice(0, -2)
  const outBatch = broadcastShape(batchA, batchB)
  if (outBatch === undefined) return undefined
  const pad = (s: number[]): number[] => [...new Array<number>(outBatch.length - s.length).fill(1), ...s]
  const shape = [...outBatch, m, n]
  const values = backend.alloc(sizeOf(shape))
  backend.addon.matMul(values, av, bv, outBatch, pad(batchA), pad(batchB), m, n, k, transA, transB)
  return { shape, values }
}

export const batchMatMulKernel = nativeKernel(tf.BatchMatMul, (inputs, backend, attrs) => {
  const { a, b } = inputs
  if (a === undefined || b === undefined) return undefined
  const p = product(backend, a, b, boolAttr(attrs, 'transposeA', false), boolAttr(attrs, 'transposeB', false))
  return p === undefined ? undefined : backend.output(p.shape, p.values)
})

/** The body of the native `_FusedMatMul` (shared with the linear op's kernel). */
const fusedMatMulBody: NativeKernelBody = (inputs, backend, attrs) => {
  const { a, b, bias, preluActivationWeights } = inputs
  const activation = strAttr(attrs, 'activation') ?? 'linear'
  if (a === undefined || b === undefined || preluActivationWeights !== undefined) return undefined
  if (activation !== 'linear' && activation !== 'relu') return undefined
  const biasValues = bias === undefined ? undefined : backend.floats(bias)
  if (bias !== undefined && biasValues === undefined) return undefined
  const p = product(backend, a, b, boolAttr(attrs, 'transposeA', false), boolAttr(attrs, 'transposeB', false))
  if (p === undefined) return undefined
  if (bias !== undefined && biasValues !== undefined) {
    const outShape = broadcastShape(p.shape, bias.shape)
    if (outShape === undefined || outShape.length !== p.shape.length || outShape.some((d, i) => d !== p.shape[i])) {
      backend.pool.recycle(p.values)
      return undefined
    }
    // In place: each output element reads and writes the same position.
    backend.addon.binary(BinaryOp.Add, p.values, p.values, biasValues, p.shape, broadcastStrides(p.shape, p.shape), broadcastStrides(bias.shape, p.shape))
  }
  if (activation === 'relu') backend.addon.unary(UnaryOp.Relu, p.values, p.values, 0)
  return backend.output(p.shape, p.values)
}

export const fusedMatMulKernel = nativeKernel(tf._FusedMatMul, fusedMatMulBody)

/** The linear op (`JepaLinear` of @jepa-ts/ops): x·Wᵀ + b as one sgemm against Wᵀ with the bias added in place. */
export const linearKernel = nativeKernel(LINEAR, (inputs, backend) => {
  const { x, weight, bias } = inputs
  if (x === undefined || weight === undefined) return undefined
  return fusedMatMulBody(bias === undefined ? { a: x, b: weight } : { a: x, b: weight, bias }, backend, { transposeB: true })
})
