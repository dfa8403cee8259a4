/**
 * `Tile` and `Pack` on float32, as block copies (`TypedArray.set` / `copyWithin`, i.e. memcpy).
 * Laws: tile's output has shape x.shape[i]·reps[i] and out[i] = x[i mod x.shape]; pack's output
 * inserts a dim of size N at `axis` and out[..., j, ...] = inputs[j]. Both are exact copies; other
 * dtypes defer to cpu.
 */
import * as tf from '@tensorflow/tfjs'
import { inputList, nativeKernel, numAttr, numsAttr, sizeOf } from '../kernel-util.ts'

export const tileKernel = nativeKernel(tf.Tile, (inputs, backend, attrs) => {
  const { x } = inputs
  const reps = numsAttr(attrs, 'reps')
  if (x === undefined || reps === undefined || reps.length !== x.shape.length || reps.some((r) => !Number.isInteger(r) || r < 0)) return undefined
  const xv = backend.floats(x)
  const rank = x.shape.length
  if (xv === undefined || rank === 0) return undefined
  const shape = x.shape.map((d, i) => d * reps[i]!)
  const out = backend.alloc(sizeOf(shape))
  if (out.length === 0) return backend.output(shape, out)
  const outBlock = shape.map((_, i) => sizeOf(shape.slice(i + 1)))
  const inBlock = x.shape.map((_, i) => sizeOf(x.shape.slice(i + 1)))
  // Writes x's sub-block at `axis` (index offset xOff) into out at outOff, then repeats it reps[axis] times.
  const fill = (axis: number, outOff: number, xOff: number): void => {
    const d = x.shape[axis]!
    if (axis === rank - 1) out.set(xv.subarray(xOff, xOff + d), outOff)
    else for (let i = 0; i < d; i++) fill(axis + 1, outOff + i * outBlock[axis]!, xOff + i * inBlock[axis]!)
    const span = d * outBlock[axis]!
    for (let r = 1; r < reps[axis]!; r++) out.copyWithin(outOff + r * span, outOff, outOff + span)
  }
  fill(0, 0, 0)
  return backend.output(shape, out)
})

export const packKernel = nativeKernel(tf.Pack, (inputs, backend, attrs) => {
  const ts = inputList(inputs)
  const first = ts[0]
  if (first === undefined) return undefined
  const rank = first.shape.length
  const axis0 = numAttr(attrs, 'axis') ?? 0
  const axis = axis0 < 0 ? axis0 + rank + 1 : axis0
  if (axis < 0 || axis > rank) return undefined
  const vs: Float32Array[] = []
  for (const t of ts) {
    const v = backend.floats(t)
    if (v === undefined || t.shape.length !== rank || t.shape.some((d, i) => d !== first.shape[i])) return undefined
    vs.push(v)
  }
  const shape = [...first.shape.slice(0, axis), ts.length, ...first.shape.slice(axis)]
  const outer = sizeOf(first.shape.slice(0, axis))
  const inner = sizeOf(first.shape.slice(axis))
  const out = backend.alloc(sizeOf(shape))
  for (let o = 0; o < outer; o++) for (let j = 0; j < vs.length; j++) out.set(vs[j]!.subarray(o * inner, o * inner + inner), (o * vs.length + j) * inner)
  return backend.output(shape, out)
})
