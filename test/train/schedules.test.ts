/** Laws of the LR and weight-decay schedules: exact endpoints, continuity at the warmup boundary, monotone pieces. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { constant, warmupCosine, cosineWeightDecay } from '@jepa-ts/train'

const RUNS = { numRuns: 100 }
/** Uniform on a grid of [0, 1] (fc.double spreads over exponents, so it rarely lands mid-range). */
const unit = fc.integer({ min: 0, max: 10000 }).map((k) => k / 10000)
const rate = unit
const lrConfig = fc
  .record({ startLr: rate, lr: rate, finalLr: rate, warmupSteps: fc.integer({ min: 0, max: 50 }), cosineSteps: fc.integer({ min: 0, max: 200 }) })
  .map(({ cosineSteps, ...rest }) => ({ ...rest, totalSteps: rest.warmupSteps + cosineSteps }))

test('warmupCosine: startLr at 0, lr at the end of warmup, finalLr from totalSteps on', () => {
  fc.assert(
    fc.property(lrConfig, (c) => {
      const f = warmupCosine(c)
      if (c.warmupSteps > 0) assert.equal(f(0), c.startLr)
      if (c.totalSteps > c.warmupSteps) assert.equal(f(c.warmupSteps), Math.max(c.finalLr, c.lr))
      // with no cosine phase (T = W) the reference still takes one step to reach finalLr
      assert.equal(f(c.totalSteps), c.warmupSteps === c.totalSteps ? Math.max(c.finalLr, c.lr) : c.finalLr)
      assert.equal(f(c.totalSteps + 1), c.finalLr)
      assert.equal(f(c.totalSteps + 1000), c.finalLr)
      return true
    }),
    RUNS,
  )
})

test('warmupCosine is continuous at the warmup boundary', () => {
  fc.assert(
    fc.property(lrConfig.filter((c) => c.warmupSteps > 0 && c.totalSteps > c.warmupSteps && c.lr >= c.finalLr), (c) => {
      const f = warmupCosine(c)
      const w = c.warmupSteps
      const left = f(w - 1e-9)
      const right = f(w + 1e-9)
      return Math.abs(left - right) < 1e-8 && Math.abs(right - c.lr) < 1e-8
    }),
    RUNS,
  )
})

test('warmupCosine: the warmup piece moves monotonically toward lr, the cosine piece monotonically toward finalLr', () => {
  fc.assert(
    fc.property(lrConfig, unit, unit, (c, u, v) => {
      const f = warmupCosine(c)
      const [a, b] = u <= v ? [u, v] : [v, u]
      // rounding slack relative to the values involved (the generator likes tiny rates)
      const slack = 1e-12 * Math.max(c.startLr, c.lr, c.finalLr)
      if (c.warmupSteps > 0) {
        const [sa, sb] = [a * c.warmupSteps * 0.999, b * c.warmupSteps * 0.999]
        if (c.lr >= c.startLr) assert.ok(f(sa) <= f(sb) + slack, `warmup not increasing: f(${sa}) = ${f(sa)} > f(${sb}) = ${f(sb)}`)
        else assert.ok(f(sa) + slack >= f(sb), 'warmup not decreasing')
      }
      const span = c.totalSteps - c.warmupSteps
      const [ca, cb] = [c.warmupSteps + a * span, c.warmupSteps + b * span]
      if (c.lr >= c.finalLr) assert.ok(f(ca) + slack >= f(cb), `cosine not decreasing: f(${ca}) = ${f(ca)} < f(${cb}) = ${f(cb)}`)
      return f(cb) >= Math.min(c.finalLr, c.lr) - slack
    }),
    RUNS,
  )
})

test('warmupCosine reproduces the I-JEPA WarmupCosineSchedule on a worked example', () => {
  // start 2e-4, ref 1e-3, final 1e-6, warmup 4, T 20 (the reference subtracts warmup from T_max)
  const f = warmupCosine({ startLr: 2e-4, lr: 1e-3, finalLr: 1e-6, warmupSteps: 4, totalSteps: 20 })
  const reference = (s: number): number =>
    s < 4 ? 2e-4 + (s / 4) * (1e-3 - 2e-4) : Math.max(1e-6, 1e-6 + (1e-3 - 1e-6) * 0.5 * (1 + Math.cos((Math.PI * (s - 4)) / 16)))
  for (let s = 0; s <= 20; s++) assert.ok(Math.abs(f(s) - reference(s)) <= 1e-18, `step ${s}: ${f(s)} vs ${reference(s)}`)
  assert.ok(Math.abs(f(12) - (1e-6 + (1e-3 - 1e-6) / 2)) < 1e-18, 'halfway through the cosine is the midpoint')
})

test('cosineWeightDecay: exact endpoints, monotone, works rising (0.04 → 0.4) and falling', () => {
  fc.assert(
    fc.property(rate, rate, fc.integer({ min: 1, max: 500 }), unit, unit, (wd, finalWd, total, u, v) => {
      const f = cosineWeightDecay({ weightDecay: wd, finalWeightDecay: finalWd, totalSteps: total })
      assert.equal(f(0), wd)
      assert.equal(f(total), finalWd)
      assert.equal(f(total * 1.5), finalWd)
      assert.equal(f(total * 3), finalWd)
      const [a, b] = u <= v ? [u * total, v * total] : [v * total, u * total]
      const slack = 1e-12 * Math.max(wd, finalWd)
      return finalWd >= wd ? f(a) <= f(b) + slack : f(a) + slack >= f(b)
    }),
    RUNS,
  )
  const rising = cosineWeightDecay({ weightDecay: 0.04, finalWeightDecay: 0.4, totalSteps: 100 })
  assert.ok(Math.abs(rising(50) - 0.22) < 1e-15)
})

test('constant is constant; bad options and steps are errors naming the field', () => {
  fc.assert(fc.property(fc.double({ min: -10, max: 10, noNaN: true }), fc.nat(), (x, s) => constant(x)(s) === x), RUNS)
  assert.throws(() => warmupCosine({ startLr: 0, lr: 1, finalLr: 0, warmupSteps: 10, totalSteps: 5 }), /warmupCosine: totalSteps must be an integer >= warmupSteps \(10\); got 5/)
  assert.throws(() => warmupCosine({ startLr: -1, lr: 1, finalLr: 0, warmupSteps: 0, totalSteps: 5 }), /warmupCosine: startLr must be a number >= 0; got -1/)
  assert.throws(() => warmupCosine({ startLr: 0, lr: 1, finalLr: 0, warmupSteps: 1.5, totalSteps: 5 }), /warmupCosine: warmupSteps must be an integer >= 0; got 1.5/)
  assert.throws(() => cosineWeightDecay({ weightDecay: 0.04, finalWeightDecay: 0.4, totalSteps: 0 }), /cosineWeightDecay: totalSteps must be a number > 0; got 0/)
  assert.throws(() => constant(1)(Number.NaN), /constant: step must be a finite number >= 0; got NaN/)
  assert.throws(() => constant(Number.POSITIVE_INFINITY), /constant: value must be a finite number; got Infinity/)
})
