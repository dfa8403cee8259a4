/**
 * `adamwUpdate(p, g, m, v, hp)` — one decoupled-weight-decay Adam step (PyTorch's torch.optim.AdamW
 * semantics): p ← p·(1 − lr·wd); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
 * p ← p − lr·(m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + eps). Returns new tensors {p, m, v} of p's shape
 * (inputs untouched; the caller assigns and disposes). `step` is t, counted from 1.
 * On the native backend one pass over memory; elsewhere composite ops. Not differentiable.
 * Paper: https://arxiv.org/abs/1711.05101
 *
 * @example
 * const r = adamwUpdate(p, g, m, v, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05, step: 1 })
 */
import * as tf from '@tensorflow/tfjs'
import { nativeKernel, numAttr } from '../kernel-util.ts'
import { onNative, runKernelN } from './on-native.ts'

export const ADAMW = 'JepaAdamW'

export interface AdamWHyper {
  readonly lr: number
  readonly beta1: number
  readonly beta2: number
  readonly eps: number
  readonly weightDecay: number
  /** 1 for the first step. */
  readonly step: number
}

export interface AdamWState {
  readonly p: tf.Tensor
  readonly m: tf.Tensor
  readonly v: tf.Tensor
}

export const adamwKernel = nativeKernel(ADAMW, (inputs, backend, attrs) => {
  const { p, g, m, v } = inputs
  const vals = [p, g, m, v].map((t) => (t === undefined ? undefined : backend.floats(t)))
  const [pv, gv, mv, vv] = vals
  if (p === undefined || pv === undefined || gv === undefined || mv === undefined || vv === undefined) throw new Error(`${ADAMW}: float32 p, g, m, v expected`)
  const n = pv.length
  const po = backend.alloc(n)
  const mo = backend.alloc(n)
  const vo = backend.alloc(n)
  const at = (name: string): number => {
    const x = numAttr(attrs, name)
    if (x === undefined) throw new Error(`${ADAMW}: attribute ${name} missing`)
    return x
  }
  backend.addon.adamw(po, mo, vo, pv, gv, mv, vv, at('lr'), at('beta1'), at('beta2'), at('eps'), at('weightDecay'), at('bc1'), at('bc2'))
  return [backend.output(p.shape, po), backend.output(p.shape, mo), backend.output(p.shape, vo)]
})

/** One AdamW step; returns fresh {p, m, v}. */
export const adamwUpdate = (p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, hp: AdamWHyper): AdamWState => {
  for (const [name, t] of [['g', g], ['m', m], ['v', v]] as const) {
    if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
      throw new Error(`adamwUpdate: ${name} must have p's shape [${p.shape.join(', ')}], got [${t.shape.join(', ')}]`)
    }
  }
  const bc1 = 1 - hp.beta1 ** hp.step
  const bc2 = 1 - hp.beta2 ** hp.step
  if (onNative(p, g, m, v)) {
    const [np, nm, nv] = runKernelN(ADAMW, { p, g, m, v }, { lr: hp.lr, beta1: hp.beta1, beta2: hp.beta2, eps: hp.eps, weightDecay: hp.weightDecay, bc1, bc2 }, 3)
    if (np === undefined || nm === undefined || nv === undefined) throw new Error(`${ADAMW}: outputs missing`)
    return { p: np, m: nm, v: nv }
  }
  return tf.tidy(() => {
    const nm = tf.add(tf.mul(m, hp.beta1), tf.mul(g, 1 - hp.beta1))
    const nv = tf.add(tf.mul(v, hp.beta2), tf.mul(tf.square(g), 1 - hp.beta2))
    const denom = tf.add(tf.sqrt(tf.div(nv, bc2)), hp.eps)
    const np = tf.sub(tf.mul(p, 1 - hp.lr * hp.weightDecay), tf.mul(tf.div(tf.div(nm, bc1), denom), hp.lr))
    return { p: np, m: nm, v: nv }
  })
}
