/**
 * Fixes that make tfjs's wasm backend fit for training (DESIGN §4), installed once by
 * `installWasmFixes()` after the wasm backend is registered:
 *
 * 1. `UnsortedSegmentSum` — the gradient of `gather` — has no wasm kernel. We add one that works on
 *    the wasm heap directly (no copy through JS tensors).
 * 2. `BatchMatMul` with `transposeA`/`transposeB` leaves XNNPACK's fast path (8–10× slower, measured).
 *    The stock matmul gradient and our `linear` (x·Wᵀ, PyTorch weight layout) both ask for
 *    transposes, so the wasm kernel is wrapped: transposed operands are materialized with the wasm
 *    `Transpose` kernel first and the original kernel runs with both flags false. This fixes the
 *    forward pass and every gradient at once, which is why the gradient itself needs no
 *    re-registration; `test/engine/engine.test.ts` checks wasm gradients against cpu.
 *
 * This is the one module of core that touches tfjs backend internals; the casts live here.
 */
import * as tf from '@tensorflow/tfjs'

/** The part of the wasm backend's surface these kernels use. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array
  disposeData(dataId: tf.TensorInfo['dataId']): boolean
}

const asHeap = (backend: unknown): WasmHeapBackend => backend as WasmHeapBackend

let installed = false

/** Idempotently registers the wasm fixes. Call after `@tensorflow/tfjs-backend-wasm` is imported. */
export const installWasmFixes = (): void => {
  if (installed) return
  installed = true
  registerUnsortedSegmentSum()
  wrapBatchMatMul()
}

const registerUnsortedSegmentSum = (): void => {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm') !== undefined) return
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo }
      const numSegments = (attrs as { numSegments: number }).numSegments
      const heap = asHeap(backend)
      const idsRank = segmentIds.shape.length
      const inner = x.shape.slice(idsRank).reduce((a, b) => a * b, 1)
      const nIds = segmentIds.shape.reduce((a, b) => a * b, 1)
      const out = heap.makeOutput([numSegments, ...x.shape.slice(idsRank)], x.dtype)
      const dst = heap.typedArrayFromHeap(out)
      dst.fill(0)
      const src = heap.typedArrayFromHeap(x)
      const ids = heap.typedArrayFromHeap(segmentIds)
      for (let i = 0; i < nIds; i++) {
        const s = ids[i]!
        if (s < 0 || s >= numSegments) continue // tfjs semantics: out-of-range ids are dropped
        const so = i * inner
        const d = s * inner
        for (let j = 0; j < inner; j++) dst[d + j] = dst[d + j]! + src[so + j]!
      }
      return out
    },
  })
}

const wrapBatchMatMul = (): void => {
  const original = tf.getKernel('BatchMatMul', 'wasm')
  const transposeKernel = tf.getKernel('Transpose', 'wasm')
  if (original === undefined || transposeKernel === undefined) return
  const transposeLast2 = (t: tf.TensorInfo, backend: unknown): tf.TensorInfo => {
    const r = t.shape.length
    const perm = [...Array(r).keys()]
    perm[r - 2] = r - 1
    perm[r - 1] = r - 2
    return transposeKernel.kernelFunc({ inputs: { x: t }, backend: backend as tf.KernelBackend, attrs: { perm } }) as tf.TensorInfo
  }
  tf.unregisterKernel('BatchMatMul', 'wasm')
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo }
      const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean }
      if (!transposeA && !transposeB) return original.kernelFunc(args)
      const heap = asHeap(args.backend)
      const aT = transposeA ? transposeLast2(a, args.backend) : a
      const bT = transposeB ? transposeLast2(b, args.backend) : b
      const out = original.kernelFunc({ ...args, inputs: { a: aT, b: bT }, attrs: { ...args.attrs, transposeA: false, transposeB: false } })
      if (transposeA) heap.disposeData(aT.dataId)
      if (transposeB) heap.disposeData(bT.dataId)
      return out
    },
  })
}
