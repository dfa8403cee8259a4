/**
 * AdamW (decoupled weight decay) as a pure function over parameter trees, matching
 * `torch.optim.AdamW` (PyTorch 1.13, amsgrad = false, maximize = false) operation for operation:
 *
 *   t ← t + 1
 *   p ← p·(1 − lr·wd)                                   decay first, only on decayed leaves
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
 *
 * Param groups: a leaf is decayed when `decays(path, tensor)` is true; the default is the I-JEPA
 * reference rule `('bias' not in name) and (len(p.shape) != 1)` (facebookresearch/ijepa
 * src/helper.py `init_opt`): no decay on biases and 1-D params (LayerNorm weights, ...).
 * `lr` and `weightDecay` are passed per step (from the pure schedules in `schedules.ts`).
 *
 * Ownership: `adamwInit` and `adamwStep` never mutate or dispose their inputs; every tensor they
 * return is new and owned by the caller. After a step the caller drops what it no longer needs:
 *   const next = adamwStep(params, grads, state, options)
 *   disposeTree(params); disposeTree(grads); disposeOptState(state)
 *   params = next.params; state = next.state
 * Intermediates are released inside `tf.tidy`, so with that discipline the live tensor count is flat.
 * The per-leaf update is the AdamW op of @jepa-ts/ops (this module adds the trees, the param
 * groups and the checks). Paper: Loshchilov & Hutter, https://arxiv.org/abs/1711.05101.
 */
import * as tf from '@tensorflow/tfjs'
import { type ParamTree, disposeTree, flatten, isTensor, mapTree, subtree, unflatten } from '@jepa-ts/core'
import { adamwUpdate } from '@jepa-ts/ops'

/** Optimizer state: first and second moments (same structure as the params) and the step count. */
export interface OptState {
  /** Number of updates applied so far (torch's `state['step']`). */
  readonly step: number
  /** First-moment estimate m, a tree like the params. */
  readonly m: ParamTree
  /** Second-moment estimate v, a tree like the params. */
  readonly v: ParamTree
}

/** Which leaves get weight decay. */
export type DecayPredicate = (path: string, tensor: tf.Tensor) => boolean

/** The I-JEPA rule: decay unless the path contains `bias` or the leaf is 1-D. */
export const decayExceptBiasAnd1d: DecayPredicate = (path, tensor) => !path.includes('bias') && tensor.rank !== 1

/** Options of one `adamwStep`. */
export interface AdamWOptions {
  /** Learning rate for this step (≥ 0). */
  readonly lr: number
  /** Decoupled weight decay for this step (≥ 0); applied as p ← p·(1 − lr·wd) on decayed leaves. */
  readonly weightDecay: number
  /** Default 0.9. */
  readonly beta1?: number
  /** Default 0.999 (MAE uses 0.95). */
  readonly beta2?: number
  /** Default 1e-8. */
  readonly eps?: number
  /** Which leaves are decayed; default `decayExceptBiasAnd1d`. */
  readonly decays?: DecayPredicate
}

/**
 * Fresh state for `params`: zero moments of the same structure and shapes, step 0.
 *
 * @example
 * let state = adamwInit(params)
 */
export const adamwInit = (params: ParamTree): OptState => ({
  step: 0,
  m: mapTree(params, (t) => tf.zerosLike(t)),
  v: mapTree(params, (t) => tf.zerosLike(t)),
})

/** Disposes the moment tensors of a state (the state must not be used afterwards). */
export const disposeOptState = (state: OptState): void => {
  disposeTree(state.m)
  disposeTree(state.v)
}

const requireOption = (field: string, value: number, ok: (v: number) => boolean, expected: string): void => {
  if (!Number.isFinite(value) || !ok(value)) throw new Error(`adamwStep: option ${field} must be ${expected}; got ${value}`)
}

const leafAt = (tree: ParamTree, treeName: string, path: string, like: tf.Tensor): tf.Tensor => {
  const t = subtree(tree, path)
  if (t === undefined || !isTensor(t)) throw new Error(`adamwStep: ${treeName} has no tensor at ${path}`)
  if (t.shape.join(',') !== like.shape.join(',')) throw new Error(`adamwStep: ${treeName} at ${path} has shape [${t.shape}], expected [${like.shape}] like the param`)
  return t
}

/**
 * One AdamW update. `grads`, `state.m` and `state.v` must have the params' structure and shapes
 * (errors name the first offending path and tree). Returns new params and a new state.
 *
 * @example
 * const { params: next, state: nextState } = adamwStep(params, grads, state, { lr: lrAt(k + 1), weightDecay: wdAt(k + 1) })
 */
export const adamwStep = (params: ParamTree, grads: ParamTree, state: OptState, options: AdamWOptions): { readonly params: ParamTree; readonly state: OptState } => {
  const { lr, weightDecay } = options
  const beta1 = options.beta1 ?? 0.9
  const beta2 = options.beta2 ?? 0.999
  const eps = options.eps ?? 1e-8
  const decays = options.decays ?? decayExceptBiasAnd1d
  requireOption('lr', lr, (v) => v >= 0, 'a number >= 0')
  requireOption('weightDecay', weightDecay, (v) => v >= 0, 'a number >= 0')
  requireOption('beta1', beta1, (v) => v >= 0 && v < 1, 'in [0, 1)')
  requireOption('beta2', beta2, (v) => v >= 0 && v < 1, 'in [0, 1)')
  requireOption('eps', eps, (v) => v >= 0, 'a number >= 0')
  if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`adamwStep: state.step must be an integer >= 0; got ${state.step}`)

  const leaves = flatten(params)
  const gradLeaves = flatten(grads)
  if (gradLeaves.length !== leaves.length) {
    const known = new Set(leaves.map(([p]) => p))
    const extra = gradLeaves.map(([p]) => p).filter((p) => !known.has(p))
    throw new Error(`adamwStep: grads has ${gradLeaves.length} leaves, params ${leaves.length}${extra.length > 0 ? ` (not in params: ${extra.join(', ')})` : ''}`)
  }
  const step = state.step + 1

  const updated = leaves.map(([path, p]) => {
    const g = leafAt(grads, 'grads', path, p)
    const m = leafAt(state.m, 'state.m', path, p)
    const v = leafAt(state.v, 'state.v', path, p)
    return { path, p, g, m, v, decayed: decays(path, p) }
  })
  return tf.tidy(() => {
    const out = updated.map(({ path, p, g, m, v, decayed }) => {
      // The AdamW op (@jepa-ts/ops): one kernel where the backend has it, else the composite.
      const r = adamwUpdate(p, g, m, v, { lr, beta1, beta2, eps, weightDecay: decayed ? weightDecay : 0, step })
      return { path, pNext: r.p, mNext: r.m, vNext: r.v }
    })
    return {
      params: unflatten(out.map(({ path, pNext }) => [path, pNext] as const)),
      state: {
        step,
        m: unflatten(out.map(({ path, mNext }) => [path, mNext] as const)),
        v: unflatten(out.map(({ path, vNext }) => [path, vNext] as const)),
      },
    }
  })
}
