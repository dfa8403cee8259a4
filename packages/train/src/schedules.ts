/**
 * Learning-rate and weight-decay schedules as pure functions of the step.
 *
 * A `Schedule` maps the step s (a number ≥ 0) to a value; nothing is stateful, so resuming at step k
 * is evaluating at k. Step convention: s counts the scheduler steps taken, exactly as the I-JEPA
 * reference's `scheduler.step()` counter — the reference calls `step()` BEFORE each update, so its
 * update number k (0-based) uses s = k + 1. A training loop that wants the reference's numbers
 * evaluates `schedule(k + 1)`.
 *
 *   warmupCosine (I-JEPA `WarmupCosineSchedule`, facebookresearch/ijepa src/utils/schedulers.py):
 *     s < W:  lr = start + (s/W)·(ref − start)                               linear warmup
 *     s ≥ W:  p = (s − W)/max(1, T − W),  lr = max(final, final + (ref − final)·½(1 + cos(π·p)))
 *   cosineWeightDecay (I-JEPA `CosineWDSchedule`):
 *     wd = final + (ref − final)·½(1 + cos(π·s/T)), clamped between ref and final
 *   constant: the same value at every step.
 * Both pieces are continuous at s = W and reach `final` exactly at s = T (each piece is evaluated as
 * the convex combination (1 − t)·a + t·b, which hits its endpoints exactly; the reference's
 * a + t·(b − a) agrees to the last bit or two). One deliberate deviation:
 * past T the reference's cosine turns back up (it never gets there, because its T is scaled by
 * ipe_scale = 1.25); here p and s/T are clamped at 1, so the value stays at `final`.
 */

/** The value of a hyper-parameter at a step. */
export type Schedule = (step: number) => number

/** (1 − t)·a + t·b: equal to a at t = 0 and to b at t = 1 exactly (a + t·(b − a) is not, in floating point). */
const mix = (a: number, b: number, t: number): number => (1 - t) * a + t * b

const requireStep = (fn: string, step: number): void => {
  if (!Number.isFinite(step) || step < 0) throw new Error(`${fn}: step must be a finite number >= 0; got ${step}`)
}

const requireField = (fn: string, field: string, value: number, ok: (v: number) => boolean, expected: string): void => {
  if (!Number.isFinite(value) || !ok(value)) throw new Error(`${fn}: ${field} must be ${expected}; got ${value}`)
}

/**
 * The same value at every step.
 *
 * @example
 * const lr = constant(1e-3)  // lr(0) === lr(1e6) === 1e-3
 */
export const constant = (value: number): Schedule => {
  requireField('constant', 'value', value, () => true, 'a finite number')
  return (step) => {
    requireStep('constant', step)
    return value
  }
}

/** Options of `warmupCosine` (names follow the I-JEPA config: start_lr, lr, final_lr, warmup). */
export interface WarmupCosineOptions {
  /** Value at step 0. */
  readonly startLr: number
  /** Peak value, reached at the end of the warmup (the reference's ref_lr). */
  readonly lr: number
  /** Value at `totalSteps`, and the floor of the cosine piece. */
  readonly finalLr: number
  /** W: steps of linear warmup (integer ≥ 0). */
  readonly warmupSteps: number
  /** T: total steps (the reference uses int(ipe_scale·epochs·itersPerEpoch)); T ≥ W. */
  readonly totalSteps: number
}

/**
 * Linear warmup from `startLr` to `lr` over `warmupSteps`, then cosine from `lr` to `finalLr` at
 * `totalSteps` (constant afterwards). With `totalSteps = warmupSteps` there is no cosine phase and,
 * as in the reference (which divides by max(1, T − W)), the value drops to `finalLr` one step after W.
 *
 * @example
 * const lr = warmupCosine({ startLr: 2e-4, lr: 1e-3, finalLr: 1e-6, warmupSteps: 40 * 1251, totalSteps: 375 * 1251 })
 */
export const warmupCosine = (options: WarmupCosineOptions): Schedule => {
  const { startLr, lr, finalLr, warmupSteps, totalSteps } = options
  const fn = 'warmupCosine'
  requireField(fn, 'startLr', startLr, (v) => v >= 0, 'a number >= 0')
  requireField(fn, 'lr', lr, (v) => v >= 0, 'a number >= 0')
  requireField(fn, 'finalLr', finalLr, (v) => v >= 0, 'a number >= 0')
  requireField(fn, 'warmupSteps', warmupSteps, (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0')
  requireField(fn, 'totalSteps', totalSteps, (v) => Number.isInteger(v) && v >= warmupSteps, `an integer >= warmupSteps (${warmupSteps})`)
  const cosineSteps = Math.max(1, totalSteps - warmupSteps)
  return (step) => {
    requireStep(fn, step)
    if (step < warmupSteps) return mix(startLr, lr, step / warmupSteps)
    const progress = Math.min(1, (step - warmupSteps) / cosineSteps)
    return Math.max(finalLr, mix(finalLr, lr, 0.5 * (1 + Math.cos(Math.PI * progress))))
  }
}

/** Options of `cosineWeightDecay` (I-JEPA config: weight_decay, final_weight_decay). */
export interface CosineWeightDecayOptions {
  /** Value at step 0 (the reference's ref_wd). */
  readonly weightDecay: number
  /** Value at `totalSteps`. May be larger than `weightDecay` (I-JEPA rises 0.04 → 0.4). */
  readonly finalWeightDecay: number
  /** T: total steps (> 0). */
  readonly totalSteps: number
}

/**
 * Cosine from `weightDecay` to `finalWeightDecay` over `totalSteps` (constant afterwards).
 *
 * @example
 * const wd = cosineWeightDecay({ weightDecay: 0.04, finalWeightDecay: 0.4, totalSteps: 375 * 1251 })
 */
export const cosineWeightDecay = (options: CosineWeightDecayOptions): Schedule => {
  const { weightDecay, finalWeightDecay, totalSteps } = options
  const fn = 'cosineWeightDecay'
  requireField(fn, 'weightDecay', weightDecay, (v) => v >= 0, 'a number >= 0')
  requireField(fn, 'finalWeightDecay', finalWeightDecay, (v) => v >= 0, 'a number >= 0')
  requireField(fn, 'totalSteps', totalSteps, (v) => v > 0, 'a number > 0')
  const lo = Math.min(weightDecay, finalWeightDecay)
  const hi = Math.max(weightDecay, finalWeightDecay)
  return (step) => {
    requireStep(fn, step)
    const progress = Math.min(1, step / totalSteps)
    const value = mix(finalWeightDecay, weightDecay, 0.5 * (1 + Math.cos(Math.PI * progress)))
    return Math.min(hi, Math.max(lo, value))
  }
}
