/**
 * `fusedAttention(q, k, v, scale)` — scaled dot-product attention softmax(scale·q·kᵀ)·v per head.
 * Shapes: q [B, H, Nq, Dh], k and v [B, H, Nk, Dh] → [B, H, Nq, Dh]; `scale` defaults to 1/√Dh.
 * No mask. On the native backend one kernel runs QKᵀ → softmax → ·V per head (heads side by side
 * on the cores, each product an sgemm) and the backward kernel recomputes the probabilities and
 * returns dq, dk, dv; elsewhere the composite ops. Paper: https://arxiv.org/abs/1706.03762
 *
 * @example
 * const q = tf.randomNormal([2, 3, 16, 8])
 * const o = fusedAttention(q, q, q)  // [2, 3, 16, 8]
 */
import * as tf from '@tensorflow/tfjs'
import { nativeKernel, numAttr } from '../kernel-util.ts'
import { onNative, runKernel1, runKernelN } from './on-native.ts'

export const ATTENTION = 'JepaAttention'
export const ATTENTION_GRAD = 'JepaAttentionGrad'

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

export const attentionGradConfig: tf.GradConfig = {
  kernelName: ATTENTION,
  inputsToSave: ['q', 'k', 'v'],
  gradFunc: (dy, saved, attrs) => {
    const [q, k, v] = saved
    if (Array.isArray(dy) || q === undefined || k === undefined || v === undefined) throw new Error(`${ATTENTION}: gradient inputs missing`)
    // Computed once, here: the engine runs each input's thunk inside its own tidy, so tensors
    // made lazily in the first thunk would be disposed before the others return them.
    const [d0, d1, d2] = runKernelN(ATTENTION_GRAD, { dy, q, k, v }, attrs, 3)
    if (d0 === undefined || d1 === undefined || d2 === undefined) throw new Error('gradient kernel returned too few outputs')
    return { q: () => d0, k: () => d1, v: () => d2 }
  },
}

/** softmax(scale·q·kᵀ)·v; q [B,H,Nq,Dh], k, v [B,H,Nk,Dh] → [B,H,Nq,Dh]. */
export const fusedAttention = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, scale?: number): tf.Tensor => {
  const d = dimsOf(q.shape, k.shape, v.shape)
  if (d === undefined) {
    throw new Error(`fusedAttention: expected q [B,H,Nq,Dh], k and v [B,H,Nk,Dh]; got q [${q.shape.join(', ')}], k [${k.shape.join(', ')}], v [${v.shape.join(', ')}]`)
  }
  const s = scale ?? 1 / Math.sqrt(d.dh)
  if (onNative(q, k, v)) return runKernel1(ATTENTION, { q, k, v }, { scale: s })
  return tf.tidy(() => tf.matMul(tf.softmax(tf.mul(tf.matMul(q, k, false, true), s)), v))
}
