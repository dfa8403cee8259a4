/**
 * The native kernels of the attention op (`JepaAttention` and its backward `JepaAttentionGrad`,
 * defined in @jepa-ts/ops with the gradient that calls the backward kernel): one kernel runs
 * QKᵀ → softmax → ·V per head (heads side by side on the cores, each product an sgemm); the
 * backward kernel recomputes the probabilities and returns dq, dk, dv.
 */
import type * as tf from '@tensorflow/tfjs'
import { ATTENTION, ATTENTION_GRAD } from '@jepa-ts/ops'
import { nativeKernel, numAttr } from '../kernel-util.ts'

interface Dims {
  readonly bh: number
  readonly nq: number
  readonly nk: number
  readonly dh: number
}

const dimsOf = (q: readonly number[], k: readonly number[], v: readonly number[]): Dims | undefined => {
  if (q.length !== 4 || k.length !== 4 || v.length !== 4) return undefined
  const [b, h, nq, dh] = q
  const [kb, kh, nk, kdh] = k
  if (b === undefined || h === undefined || nq === undefined || dh === undefined || nk === undefined) return undefined
  if (kb !== b || kh !== h || kdh !== dh || v.some((d, i) => d !== k[i])) return undefined
  return { bh: b * h, nq, nk, dh }
}

export const attentionKernels: readonly tf.KernelConfig[] = [
  nativeKernel(ATTENTION, (inputs, backend, attrs) => {
    const { q, k, v } = inputs
    if (q === undefined || k === undefined || v === undefined) throw new Error(`${ATTENTION}: q, k, v expected`)
    const d = dimsOf(q.shape, k.shape, v.shape)
    const qv = backend.floats(q)
    const kv = backend.floats(k)
    const vv = backend.floats(v)
    if (d === undefined || qv === undefined || kv === undefined || vv === undefined) throw new Error(`${ATTENTION}: float32 q [B,H,Nq,Dh], k and v [B,H,Nk,Dh] expected`)
    const out = backend.alloc(qv.length)
    backend.addon.attention(out, qv, kv, vv, d.bh, d.nq, d.nk, d.dh, numAttr(attrs, 'scale') ?? 1 / Math.sqrt(d.dh))
    return backend.output(q.shape, out)
  }),
  nativeKernel(ATTENTION_GRAD, (inputs, backend, attrs) => {
    const { dy, q, k, v } = inputs
    if (dy === undefined || q === undefined || k === undefined || v === undefined) throw new Error(`${ATTENTION_GRAD}: dy, q, k, v expected`)
    const d = dimsOf(q.shape, k.shape, v.shape)
    const dyv = backend.floats(dy)
    const qv = backend.floats(q)
    const kv = backend.floats(k)
    const vv = backend.floats(v)
    if (d === undefined || dyv === undefined || qv === undefined || kv === undefined || vv === undefined) throw new Error(`${ATTENTION_GRAD}: float32 inputs expected`)
    const dq = backend.alloc(qv.length)
    const dk = backend.alloc(kv.length)
    const dv = backend.alloc(vv.length)
    backend.addon.attentionGrad(dq, dk, dv, dyv, qv, kv, vv, d.bh, d.nq, d.nk, d.dh, numAttr(attrs, 'scale') ?? 1 / Math.sqrt(d.dh))
    return [backend.output(q.shape, dq), backend.output(k.shape, dk), backend.output(v.shape, dv)]
  }),
]
