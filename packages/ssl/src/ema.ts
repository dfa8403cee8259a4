/**
 * Exponential moving average (EMA) of parameter trees, and the momentum schedules that drive it.
 *
 *   ema(m)(target, online) = m·target + (1 − m)·online        leaf by leaf, 0 ≤ m ≤ 1
 *
 * It is the target-network update of I-JEPA and BYOL (`θ̄ ← m·θ̄ + (1−m)·θ`, computed as PyTorch's
 * `param_k.mul_(m).add_((1 − m)·param_q)`; per leaf the EMA op of @jepa-ts/ops). `emaOver(select)` averages only the selected leaves
 * (e.g. the `encoder` subtree) and copies the others from the target.
 *
 * Ownership: pure. The inputs are neither mutated nor disposed; every leaf of the result is a new
 * tensor (unselected leaves are `tf.clone`s, which share storage with the target but are released
 * independently). The caller owns the result and typically disposes the old target afterwards:
 *   const next = ema(m)(target, online); disposeTree(target); target = next
 *
 * Schedules are pure functions of the step (resume = evaluate at step k):
 *   ijepaMomentum: m_k = m0 + k·(m1 − m0)/K, K = itersPerEpoch·epochs·ipeScale (facebookresearch/ijepa
 *     `src/train.py`: `ema[0] + i*(ema[1]-ema[0])/(ipe*num_epochs*ipe_scale)`, i = 0 at the first
 *     update; the reference's ipe_scale 1.25 means m never reaches 1 during training); clamped to m1
 *     for k ≥ K.
 *   byolMomentum: τ_k = 1 − (1 − τ0)·(cos(πk/K) + 1)/2 (BYOL paper §3.1), clamped at k ≥ K to 1.
 */
import * as tf from '@tensorflow/tfjs'
import { type ParamTree, flatten, isTensor, subtree, unflatten, zipTree } from '@jepa-ts/core'
import { emaUpdate } from '@jepa-ts/ops'

const requireMomentum = (fn: string, m: number): void => {
  if (!Number.isFinite(m) || m < 0 || m > 1) throw new Error(`${fn}: momentum m must be a number in [0, 1]; got ${m}`)
}

/**
 * `ema(m)(target, online)` = m·target + (1 − m)·online for every leaf; both trees must have the
 * same structure and shapes (the error names the first path that differs).
 *
 * @example
 * const next = ema(0.996)(targetParams, onlineParams)
 */
export const ema = (m: number) => {
  requireMomentum('ema', m)
  return (target: ParamTree, online: ParamTree): ParamTree =>
    tf.tidy(() => zipTree(target, online, (t, o) => emaUpdate(t, o, m)))
}

/**
 * Which leaves `emaOver` averages: a dotted subtree path (`'encoder'`), several of them
 * (`['encoder', 'projector']`, BYOL's target network), or a predicate on leaf paths.
 */
export type EmaSelector = string | readonly string[] | ((path: string) => boolean)

const under = (prefix: string, path: string): boolean => path === prefix || path.startsWith(`${prefix}.`)

const selectorOf = (select: EmaSelector): ((path: string) => boolean) =>
  typeof select === 'function' ? select : typeof select === 'string' ? (path) => under(select, path) : (path) => select.some((prefix) => under(prefix, path))

/**
 * Like `ema`, but only the leaves chosen by `select` are averaged; the other leaves of `target` are
 * copied unchanged. `online` must contain every selected path with the same shape (it may hold more,
 * e.g. a predictor). Throws when the selection is empty, naming the selector.
 *
 * @example
 * const next = emaOver('encoder')(0.996)({ encoder, head }, { encoder: onlineEncoder, predictor })
 */
export const emaOver = (select: EmaSelector) => {
  const selected = selectorOf(select)
  const selectorName = typeof select === 'function' ? 'the given predicate' : typeof select === 'string' ? `"${select}"` : `[${select.map((p) => `"${p}"`).join(', ')}]`
  return (m: number) => {
    requireMomentum('emaOver', m)
    return (target: ParamTree, online: ParamTree): ParamTree => {
      const leaves = flatten(target)
      const chosen = leaves.filter(([path]) => selected(path))
      if (chosen.length === 0) throw new Error(`emaOver: ${selectorName} selects no leaf of the target tree (paths: ${leaves.map(([p]) => p).join(', ') || '<none>'})`)
      for (const [path, t] of chosen) {
        const o = subtree(online, path)
        if (o === undefined || !isTensor(o)) throw new Error(`emaOver: online tree has no tensor at ${path}`)
        if (o.shape.join(',') !== t.shape.join(',')) throw new Error(`emaOver: shapes differ at ${path}: target [${t.shape}] vs online [${o.shape}]`)
      }
      return tf.tidy(() =>
        unflatten(
          leaves.map(([path, t]) => {
            if (!selected(path)) return [path, tf.clone(t)] as const
            const o = subtree(online, path) as tf.Tensor // checked above
            return [path, emaUpdate(t, o, m)] as const
          }),
        ),
      )
    }
  }
}

/** A momentum schedule: the EMA momentum to use at a step (0-based update index). */
export type MomentumSchedule = (step: number) => number

const requireStep = (fn: string, step: number): void => {
  if (!Number.isFinite(step) || step < 0) throw new Error(`${fn}: step must be a finite number >= 0; got ${step}`)
}

/** Options of `ijepaMomentum`. */
export interface IjepaMomentumOptions {
  /** m at step 0; default 0.996. */
  readonly start?: number
  /** m reached at `totalSteps`; default 1. */
  readonly end?: number
  /** K = itersPerEpoch · epochs · ipeScale (reference ipe_scale 1.25); > 0, need not be an integer. */
  readonly totalSteps: number
}

/**
 * I-JEPA's linear momentum schedule m_k = start + k·(end − start)/K, clamped to `end` for k ≥ K.
 *
 * @example
 * const m = ijepaMomentum({ totalSteps: 1000 * 300 * 1.25 })(step)
 */
export const ijepaMomentum = (options: IjepaMomentumOptions): MomentumSchedule => {
  const start = options.start ?? 0.996
  const end = options.end ?? 1
  const total = options.totalSteps
  requireMomentum('ijepaMomentum (start)', start)
  requireMomentum('ijepaMomentum (end)', end)
  if (!Number.isFinite(total) || total <= 0) throw new Error(`ijepaMomentum: totalSteps must be a number > 0; got ${total}`)
  return (step) => {
    requireStep('ijepaMomentum', step)
    return step >= total ? end : start + (step * (end - start)) / total
  }
}

/** Options of `byolMomentum`. */
export interface ByolMomentumOptions {
  /** τ0 at step 0; default 0.996. */
  readonly base?: number
  /** K, the total number of training steps; > 0. */
  readonly totalSteps: number
}

/**
 * BYOL's cosine momentum schedule τ_k = 1 − (1 − τ0)·(cos(πk/K) + 1)/2, which rises from τ0 to 1.
 *
 * @example
 * const tau = byolMomentum({ totalSteps: 10000 })(step)
 */
export const byolMomentum = (options: ByolMomentumOptions): MomentumSchedule => {
  const base = options.base ?? 0.996
  const total = options.totalSteps
  requireMomentum('byolMomentum (base)', base)
  if (!Number.isFinite(total) || total <= 0) throw new Error(`byolMomentum: totalSteps must be a number > 0; got ${total}`)
  return (step) => {
    requireStep('byolMomentum', step)
    const progress = Math.min(step / total, 1)
    return 1 - ((1 - base) * (Math.cos(Math.PI * progress) + 1)) / 2
  }
}
