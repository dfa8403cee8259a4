/**
 * `GatherV2` (batchDims 0) and its gradient `UnsortedSegmentSum`, on float32 data with int32
 * indices. Laws: gather's output is x.shape[:axis] ++ indices.shape ++ x.shape[axis+1:] with
 * rows copied exactly; an index outside [0, x.shape[axis]) is an error naming it (as on cpu).
 * Segment sum's output is [numSegments, ...x.shape[1:]], row s the sum of the x rows whose id is
 * s; ids outside [0, numSegments) are dropped.
 */
import * as tf from '@tensorflow/tfjs'
import { nativeKernel, numAttr, sizeOf } from '../kernel-util.ts'

export const gatherKernel = nativeKernel(tf.GatherV2, (inputs, backend, attrs) => {
  const { x, indices } = inputs
  if (x === undefined || indices === undefined || (numAttr(attrs, 'batchDims') ?? 0) !== 0) return undefined
  const xv = backend.floats(x)
  const iv = backend.ints(indices)
  const rank = x.shape.length
  const axis0 = numAttr(attrs, 'axis') ?? 0
  const axis = axis0 < 0 ? axis0 + rank : axis0
  if (xv === undefined || iv === undefined || axis < 0 || axis >= rank) return undefined
  const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)]
  const out = backend.alloc(sizeOf(shape))
  const axisDim = x.shape[axis]!
  const bad = backend.addon.gather(out, xv, iv, sizeOf(x.shape.slice(0, axis)), axisDim, sizeOf(x.shape.slice(axis + 1)))
  if (bad >= 0) backend.pool.recycle(out)
  if (bad >= 0) throw new Error(`GatherV2: the index value ${iv[bad]} is not in [0, ${axisDim - 1}]`)
  return backend.output(shape, out)
})

export const unsortedSegmentSumKernel = nativeKernel(tf.UnsortedSegmentSum, (inputs, backend, attrs) => {
  const { x, segmentIds } = inputs
  const numSegments = numAttr(attrs, 'numSegments')
  if (x === undefined || segmentIds === undefined || numSegments === undefined || segmentIds.shape.length !== 1) return undefined
  const xv = backend.floats(x)
  const ids = backend.ints(segmentIds)
  if (xv === undefined || ids === undefined || x.shape[0] !== ids.length) return undefined
  const inner = sizeOf(x.shape.slice(1))
  const shape = [numSegments, ...x.shape.slice(1)]
  const out = backend.alloc(sizeOf(shape))
  backend.addon.unsortedSegmentSum(out, xv, ids, inner, numSegments)
  return backend.output(shape, out)
})
