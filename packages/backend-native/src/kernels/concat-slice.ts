/**
 * `Concat` and `Slice` on float32, and their gradients `SplitV` and `PadV2`. Concat copies each
 * input's contiguous chunks with `TypedArray.set` (memcpy); Slice copies a contiguous range the
 * same way and any other box with the native strided copy; SplitV is one such box per piece; PadV2
 * fills the constant and copies x's rows into the box. Laws: concat's output is the inputs laid end
 * to end along `axis`; slice's output has shape `size` and holds x[begin + i]; splitV's pieces
 * concatenated along `axis` give x back; padV2's output holds x at `paddings[i][0] + i` and the
 * constant elsewhere. All are exact copies.
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
  const out = backend.alloc(sizeOf(shape))
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
  const out = backend.alloc(sizeOf(size))
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

export const splitVKernel = nativeKernel(tf.SplitV, (inputs, backend, attrs) => {
  const { x } = inputs
  const split = attrs.numOrSizeSplits
  if (x === undefined || !(typeof split === 'number' || Array.isArray(split))) return undefined
  const xv = backend.floats(x)
  const rank = x.shape.length
  const axis0 = numAttr(attrs, 'axis') ?? 0
  const axis = axis0 < 0 ? axis0 + rank : axis0
  if (xv === undefined || rank === 0 || axis < 0 || axis >= rank) return undefined
  // tfjs's own resolution of a count or a size list (with one -1); it throws on an invalid split.
  const sizes = tf.backend_util.prepareSplitSize(x, split as number | number[], axis)
  const axisDim = x.shape[axis]!
  // View x as [outer, axisDim·inner]: every piece is one box of it.
  const outer = sizeOf(x.shape.slice(0, axis))
  const inner = sizeOf(x.shape.slice(axis + 1))
  let start = 0
  return sizes.map((s) => {
    const shape = x.shape.slice()
    shape[axis] = s
    const out = backend.alloc(outer * s * inner)
    if (out.length > 0) backend.addon.slice(out, xv, [outer, axisDim * inner], [0, start * inner], [outer, s * inner])
    start += s
    return backend.output(shape, out)
  })
})

export const padV2Kernel = nativeKernel(tf.PadV2, (inputs, backend, attrs) => {
  const { x } = inputs
  const paddings = attrs.paddings
  const constant = numAttr(attrs, 'constantValue') ?? 0
  if (x === undefined || !Array.isArray(paddings)) return undefined
  const xv = backend.floats(x)
  const rank = x.shape.length
  if (xv === undefined || rank === 0 || paddings.length !== rank) return undefined
  const pads: [number, number][] = []
  for (const p of paddings as unknown[]) {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((v): v is number => Number.isInteger(v) && (v as number) >= 0)) return undefined
    pads.push([p[0] as number, p[1] as number])
  }
  const shape = x.shape.map((d, i) => d + pads[i]![0] + pads[i]![1])
  const out = backend.alloc(sizeOf(shape))
  out.fill(constant)
  if (xv.length === 0) return backend.output(shape, out)
  // Copy x row by row (its last dim) to out[pad_before + index].
  const outStrides = new Array<number>(rank).fill(1)
  for (let i = rank - 2; i >= 0; i--) outStrides[i] = outStrides[i + 1]! * shape[i + 1]!
  const row = x.shape[rank - 1]!
  const rows = xv.length / row
  const idx = new Array<number>(rank - 1).fill(0)
  let off = pads.reduce((o, [b], i) => o + b * outStrides[i]!, 0)
  for (let r = 0; r < rows; r++) {
    out.set(xv.subarray(r * row, r * row + row), off)
    for (let i = rank - 2; i >= 0; i--) {
      off += outStrides[i]!
      if (++idx[i]! < x.shape[i]!) break
      off -= outStrides[i]! * x.shape[i]!
      idx[i] = 0
    }
  }
  return backend.output(shape, out)
})
