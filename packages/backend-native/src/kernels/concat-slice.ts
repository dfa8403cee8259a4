/**
 * `Concat` and `Slice` on float32. Concat copies each input's contiguous chunks with
 * `TypedArray.set` (memcpy); Slice copies a contiguous range the same way and any other box with
 * the native strided copy. Laws: concat's output is the inputs laid end to end along `axis`;
 * slice's output has shape `size` and holds x[begin + i]. Both are exact copies.
 */
import * as tf from '@tensorflow/tfjs'
import { inputList, nativeKernel, numAttr, numsAttr, sizeOf } from '../kernel-util.ts'

export const concatKernel = nativeKernel(tf.Concat, (inputs, backend, attrs) => {
  const ts = inputList(inputs)
  const first = ts[0]
  if (first === undefined) return undefined
  const rank = first.shape.length
  const axis0 = numAttr(attrs, 'axis') ?? numsAttr(attrs, 'axis')?.[0] ?? 0
  const axis = axis0 < 0 ? axis0 + rank : axis0
  if (rank === 0 || axis < 0 || axis >= rank) return undefined
  const vs: Float32Array[] = []
  for (const t of ts) {
    const v = backend.floats(t)
    if (v === undefined || t.shape.length !== rank || t.shape.some((d, i) => i !== axis && d !== first.shape[i])) return undefined
    vs.push(v)
  }
  const shape = first.shape.slice()
  shape[axis] = ts.reduce((s, t) => s + t.shape[axis]!, 0)
  const outer = sizeOf(first.shape.slice(0, axis))
  const chunks = ts.map((t) => sizeOf(t.shape.slice(axis)))
  const rowLen = chunks.reduce((a, b) => a + b, 0)
  const out = new Float32Array(sizeOf(shape))
  for (let o = 0; o < outer; o++) {
    let off = o * rowLen
    for (let j = 0; j < vs.length; j++) {
      const c = chunks[j]!
      out.set(vs[j]!.subarray(o * c, o * c + c), off)
      off += c
    }
  }
  return backend.output(shape, out)
})

export const sliceKernel = nativeKernel(tf.Slice, (inputs, backend, attrs) => {
  const { x } = inputs
  const begin = numsAttr(attrs, 'begin')
  const size0 = numsAttr(attrs, 'size')
  if (x === undefined || begin === undefined || size0 === undefined) return undefined
  const xv = backend.floats(x)
  const rank = x.shape.length
  if (xv === undefined || begin.length !== rank || size0.length !== rank) return undefined
  const size = size0.map((s, i) => (s === -1 ? x.shape[i]! - begin[i]! : s))
  if (size.some((s, i) => s < 0 || begin[i]! < 0 || begin[i]! + s > x.shape[i]!)) return undefined
  const out = new Float32Array(sizeOf(size))
  // Contiguous when every dim after the first partial one is taken whole.
  let firstPartial = 0
  while (firstPartial < rank && size[firstPartial] === 1) firstPartial++
  const contiguous = size.every((s, i) => i <= firstPartial || s === x.shape[i])
  if (contiguous) {
    let start = 0
    let stride = 1
    for (let i = rank - 1; i >= 0; i--) {
      start += begin[i]! * stride
      stride *= x.shape[i]!
    }
    out.set(xv.subarray(start, start + out.length))
  } else if (out.length > 0) {
    backend.addon.slice(out, xv, x.shape, begin, size)
  }
  return backend.output(size, out)
})
