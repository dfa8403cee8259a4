/**
 * Memory planning of the backward pass: free each tape node's tensors at their last use instead of
 * at the end of the backward pass. tfjs's backprop (tape.ts) walks the tape in reverse and keeps
 * every intermediate gradient (each node's dy) and every tensor saved for the backward pass until
 * `gradients()` returns, so the step's peak holds all activations *and* all their gradients. Here,
 * once node i's input gradients are computed (its gradient thunks have all run, which tfjs does
 * before it calls the next node's gradient), node i's dys and its saved tensors are dead: they are
 * disposed when the next node's gradient is called, and their buffers go back to the pool for the
 * rest of the backward pass.
 *
 * Contract (only for the outermost `gradients()` call while `native` is the active backend; nested
 * gradients, higher-order tapes and other backends run tfjs's backprop unchanged):
 * - never disposed: a dy of an output that is one of the `xs` (it is the returned gradient), the
 *   caller's `dy`, and any tensor a gradient thunk of the node returned (an identity gradient hands
 *   its dy on as the input's gradient);
 * - saved tensors are engine-made clones (never user tensors); disposing one early only drops its
 *   reference, and tfjs's final clean-up disposes it again as a no-op;
 * - results are bit-identical to tfjs's backprop (only disposal moves), as the parity tests check.
 */
import * as tf from '@tensorflow/tfjs'
import { BACKEND_NAME } from './kernel-util.ts'
import { type EngineHooks, type TapeNode, engineHooks } from './internal.ts'

/** The outermost backward pass in progress. */
interface Pass {
  readonly protectedIds: ReadonlySet<number>
  readonly protectedTensors: ReadonlySet<tf.Tensor>
  /** Frees the previous node's dead tensors (run when the next node's gradient starts). */
  pending: (() => void) | undefined
  /** Tensors disposed early in this pass (for tests and the bench). */
  freed: number
}

/** What planning has done since install (tests read it: a planner that frees nothing fails them). */
export interface PlanStats {
  readonly passes: number
  readonly freed: number
}

let installed: EngineHooks | undefined
let pass: Pass | undefined
let stats = { passes: 0, freed: 0 }
let enabled = true

export const planStats = (): PlanStats => ({ ...stats })

/** Turns planning off (tfjs's backprop everywhere) or back on; for tests and measurement. */
export const setBackwardPlanning = (on: boolean): void => {
  enabled = on
}

const dispose = (t: tf.Tensor, p: Pass): void => {
  if (t.isDisposed) return
  t.dispose()
  p.freed++
}

/** Wraps a tape node's gradient so the node's dys and saved tensors die right after it. */
const planned = (node: TapeNode, gradient: NonNullable<TapeNode['gradient']>, hooks: EngineHooks): NonNullable<TapeNode['gradient']> => (dys) => {
  const p = pass
  if (p === undefined || hooks.gradientDepth() > 0) return gradient(dys)
  p.pending?.()
  p.pending = undefined
  const thunks = gradient(dys)
  const returned = new Set<tf.Tensor>()
  const wrapped: Record<string, () => tf.Tensor> = {}
  for (const [name, thunk] of Object.entries(thunks)) {
    wrapped[name] = () => {
      const r = thunk()
      returned.add(r)
      return r
    }
  }
  p.pending = () => {
    const keep = new Set<tf.Tensor>([...returned, ...p.protectedTensors])
    node.outputs.forEach((o, i) => {
      const dy = dys[i]
      if (p.protectedIds.has(o.id) && dy !== null && dy !== undefined) keep.add(dy)
    })
    for (const dy of dys) if (dy !== null && !keep.has(dy)) dispose(dy, p)
    for (const s of node.saved) if (!keep.has(s)) dispose(s, p)
  }
  return wrapped
}

/** Installs the planner on tfjs's engine (idempotent). */
export const installBackwardPlanning = (): void => {
  if (installed !== undefined) return
  const hooks = engineHooks(tf.engine())
  installed = hooks
  const gradients = hooks.gradients
  const addTapeNode = hooks.addTapeNode
  hooks.setAddTapeNode((...args) => {
    addTapeNode(...args)
    const tape = hooks.tape()
    const node = tape?.[tape.length - 1]
    if (node?.gradient !== undefined) node.gradient = planned(node, node.gradient, hooks)
  })
  hooks.setGradients((f, xs, dy, allowNoGradients) => {
    if (!enabled || pass !== undefined || hooks.gradientDepth() > 0 || tf.getBackend() !== BACKEND_NAME) return gradients(f, xs, dy, allowNoGradients)
    const p: Pass = { protectedIds: new Set(xs.map((x) => x.id)), protectedTensors: new Set(dy === undefined || dy === null ? [] : [dy]), pending: undefined, freed: 0 }
    pass = p
    try {
      return gradients(f, xs, dy, allowNoGradients)
    } finally {
      pass = undefined
      stats = { passes: stats.passes + 1, freed: stats.freed + p.freed }
    }
  })
}
