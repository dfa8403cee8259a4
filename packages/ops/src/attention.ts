/**
 * `attention(q, k, v, scale)` — scaled dot-product attention softmax(scale·q·kᵀ)·v per head.
 * Shapes: q [B, H, Nq, Dh], k and v [B, H, Nk, Dh] → [B, H, Nq, Dh]; `scale` defaults to 1/√Dh.
 * No mask. Paper: https://arxiv.org/abs/1706.03762
 *
 * Kernels: `JepaAttention` inputs {q, k, v}, attr {scale} → o; `JepaAttentionGrad` inputs
 * {dy, q, k, v}, attr {scale} → [dq, dk, dv]. The gradient of `JepaAttention` runs
 * `JepaAttentionGrad` where registered, else the composite backward (P recomputed; dv = Pᵀ·dy,
 * dS = P ⊙ (dy·vᵀ − rowsum(dy·vᵀ ⊙ P)), dq = scale·dS·k, dk = scale·dSᵀ·q).
 *
 * @example
 * const q = tf.randomNormal([2, 3, 16, 8])
 * const o = attention(q, q, q)  // [2, 3, 16, 8]
 */
import * as tf from '@tensorflow/tfjs'
import { declareGradient, hasKernel, numAttr, runKernel1, runKernelN, showShape } from './dispatch.ts'

export const ATTENTION = 'JepaAttention'
export const ATTENTION_GRAD = 'JepaAttentionGrad'

const T = [0, 1, 3, 2]

/** The composite forward (an explicit transpose keeps the matmuls free of transpose flags, the fast path on wasm). */
export const attentionComposite = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, scale: number): tf.Tensor =>
  tf.tidy(() => tf.matMul(tf.softmax(tf.mul(tf.matMul(q, tf.transpose(k, T)), scale), -1), v))

const compositeGrad = (dy: tf.Tensor, q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, scale: number): tf.Tensor[] =>
  tf.tidy(() => {
    const p = tf.softmax(tf.mul(tf.matMul(q, tf.transpose(k, T)), scale), -1)
    const dv = tf.matMul(tf.transpose(p, T), dy)
    const dp = tf.matMul(dy, tf.transpose(v, T))
    const ds = tf.mul(tf.mul(p, tf.sub(dp, tf.sum(tf.mul(dp, p), -1, true))), scale)
    return [tf.matMul(ds, k), tf.matMul(tf.transpose(ds, T), q), dv]
  })

const validShapes = (q: readonly number[], k: readonly number[], v: readonly number[]): boolean =>
  q.length === 4 && k.length === 4 && v.length === 4 && q[0] === k[0] && q[1] === k[1] && q[3] === k[3] && v.every((d, i) => d === k[i])

declareGradient({
  kernelName: ATTENTION,
  inputsToSave: ['q', 'k', 'v'],
  gradFunc: (dy, saved, attrs) => {
    const [q, k, v] = saved
    if (Array.isArray(dy) || q === undefined || k === undefined || v === undefined) throw new Error(`${ATTENTION}: gradient inputs missing`)
    const scale = numAttr(attrs, 'scale', 1 / Math.sqrt(q.shape[3] ?? 1))
    // Computed once, here (see layer-norm.ts: each input's thunk runs in its own tidy).
    const [d0, d1, d2] = hasKernel(ATTENTION_GRAD, dy, q, k, v) ? runKernelN(ATTENTION_GRAD, { dy, q, k, v }, { scale }, 3) : compositeGrad(dy, q, k, v, scale)
    if (d0 === undefined || d1 === undefined || d2 === undefined) throw new Error(`${ATTENTION}: gradient returned too few tensors`)
    return { q: () => d0, k: () => d1, v: () => d2 }
  },
})

/** softmax(scale·q·kᵀ)·v; q [B,H,Nq,Dh], k, v [B,H,Nk,Dh] → [B,H,Nq,Dh]. */
export const attention = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, scale?: number): tf.Tensor => {
  if (!validShapes(q.shape, k.shape, v.shape)) {
    throw new Error(`attention: expected q [B,H,Nq,Dh], k and v [B,H,Nk,Dh]; got q ${showShape(q)}, k ${showShape(k)}, v ${showShape(v)}`)
  }
  const s = scale ?? 1 / Math.sqrt(q.shape[3]!)
  return hasKernel(ATTENTION, q, k, v) ? runKernel1(ATTENTION, { q, k, v }, { scale: s }) : attentionComposite(q, k, v, s)
}
