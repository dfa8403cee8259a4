/** Laws of the EMA target update and of the momentum schedules. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { type ParamTree, flatten, disposeTree } from '@jepa-ts/core'
import { ema, emaOver, ijepaMomentum, byolMomentum } from '@jepa-ts/ssl'

await tf.setBackend('cpu')

const RUNS = { numRuns: 40 }
const entry = fc.float({ min: Math.fround(-5), max: Math.fround(5), noNaN: true, noDefaultInfinity: true })
const vec = (n: number) => fc.array(entry, { minLength: n, maxLength: n })
/** Uniform on a grid of [0, 1] plus the reference values (fc.double spreads over exponents). */
const momentum = fc.oneof(fc.integer({ min: 0, max: 1000 }).map((k) => k / 1000), fc.constantFrom(0.99, 0.996, 0.999))

/** Two trees of the same structure: encoder {weight [2,3], bias [3]}, head.weight [2]. */
const treePair = fc.record({ tw: vec(6), tb: vec(3), th: vec(2), ow: vec(6), ob: vec(3), oh: vec(2) })
const build = (w: number[], b: number[], h: number[]): ParamTree => ({
  encoder: { weight: tf.tensor2d(w, [2, 3]), bias: tf.tensor1d(b) },
  head: { weight: tf.tensor1d(h) },
})
/** Leaf values by path; −0 is read as 0 (m·(−0) + (1 − m)·0 = +0 is still "unchanged"). */
const values = (tree: ParamTree): Record<string, number[]> => Object.fromEntries(flatten(tree).map(([p, t]) => [p, [...t.dataSync()].map((x) => (x === 0 ? 0 : x))]))

test('ema(1) leaves the target unchanged; ema(0) copies the online params', () => {
  fc.assert(
    fc.property(treePair, ({ tw, tb, th, ow, ob, oh }) =>
      tf.tidy(() => {
        const target = build(tw, tb, th)
        const online = build(ow, ob, oh)
        assert.deepEqual(values(ema(1)(target, online)), values(target))
        assert.deepEqual(values(ema(0)(target, online)), values(online))
        return true
      }),
    ),
    RUNS,
  )
})

test('ema(m) is a leafwise convex combination: between the two values, exact where they agree', () => {
  fc.assert(
    fc.property(treePair, momentum, ({ tw, tb, th, ow, ob, oh }, m) =>
      tf.tidy(() => {
        const target = build(tw, tb, th)
        const online = build(ow, ob, oh)
        const next = values(ema(m)(target, online))
        const t = values(target)
        const o = values(online)
        for (const path of Object.keys(t)) {
          next[path]!.forEach((x, i) => {
            const lo = Math.min(t[path]![i]!, o[path]![i]!)
            const hi = Math.max(t[path]![i]!, o[path]![i]!)
            const slack = 1e-6 * Math.max(1, Math.abs(lo), Math.abs(hi))
            assert.ok(x >= lo - slack && x <= hi + slack, `${path}[${i}] = ${x} outside [${lo}, ${hi}] at m = ${m}`)
            const expected = m * t[path]![i]! + (1 - m) * o[path]![i]!
            assert.ok(Math.abs(x - expected) <= slack, `${path}[${i}] = ${x}, expected ${expected}`)
          })
        }
        return true
      }),
    ),
    RUNS,
  )
})

test('ema is pure: inputs survive and stay unchanged; the result is freshly allocated', () => {
  const target = build([1, 2, 3, 4, 5, 6], [1, 1, 1], [0, 0])
  const online = build([0, 0, 0, 0, 0, 0], [0, 0, 0], [2, 2])
  const before = tf.memory().numTensors
  const next = ema(0.5)(target, online)
  assert.equal(tf.memory().numTensors, before + 3, 'exactly one new tensor per leaf, no leaked intermediates')
  assert.deepEqual(values(target)['encoder.weight'], [1, 2, 3, 4, 5, 6])
  disposeTree(target)
  disposeTree(online)
  assert.deepEqual(values(next)['head.weight'], [1, 1])
  disposeTree(next)
})

test('emaOver averages only the selected subtree and copies the rest of the target', () => {
  fc.assert(
    fc.property(treePair, momentum, ({ tw, tb, th, ow, ob, oh }, m) =>
      tf.tidy(() => {
        const target = build(tw, tb, th)
        // the online tree may hold more than the target (a predictor) and differ outside the selection
        const online = { ...build(ow, ob, oh), predictor: { weight: tf.ones([4]) } }
        const fromPrefix = values(emaOver('encoder')(m)(target, online))
        const fromPredicate = values(emaOver((path) => path.startsWith('encoder.'))(m)(target, online))
        const full = values(ema(m)(build(tw, tb, th), build(ow, ob, oh)))
        assert.deepEqual(fromPrefix['head.weight'], values(target)['head.weight'])
        assert.deepEqual(fromPrefix['encoder.weight'], full['encoder.weight'])
        assert.deepEqual(fromPrefix['encoder.bias'], full['encoder.bias'])
        assert.deepEqual(fromPredicate, fromPrefix)
        const several = values(emaOver(['encoder', 'head'])(m)(target, online))
        assert.deepEqual(several, full, 'selecting every subtree is the full ema')
        assert.deepEqual(Object.keys(fromPrefix).sort(), ['encoder.bias', 'encoder.weight', 'head.weight'])
        return true
      }),
    ),
    RUNS,
  )
})

test('emaOver copies are independent of the target: disposing the old target keeps the result alive', () => {
  const target = build([1, 2, 3, 4, 5, 6], [1, 1, 1], [7, 8])
  const online = build([0, 0, 0, 0, 0, 0], [0, 0, 0], [0, 0])
  const next = emaOver('encoder')(0.5)(target, online)
  disposeTree(target)
  assert.deepEqual(values(next)['head.weight'], [7, 8])
  disposeTree(next)
  disposeTree(online)
})

test('structure mismatches and bad momenta are errors that name the path', () => {
  const target = build([1, 2, 3, 4, 5, 6], [1, 1, 1], [0, 0])
  assert.throws(() => ema(0.5)(target, { encoder: { weight: tf.zeros([2, 3]), bias: tf.zeros([3]) } }), /trees differ at <root>: keys only on one side: head/)
  assert.throws(() => ema(0.5)(target, { ...target, head: { weight: tf.zeros([3]) } }), /shapes differ at head\.weight: \[2\] vs \[3\]/)
  assert.throws(() => ema(1.5), /ema: momentum m must be a number in \[0, 1\]; got 1\.5/)
  assert.throws(() => emaOver('decoder')(0.5)(target, target), /emaOver: "decoder" selects no leaf of the target tree/)
  assert.throws(() => emaOver(['decoder', 'enc'])(0.5)(target, target), /emaOver: \["decoder", "enc"\] selects no leaf/)
  assert.throws(() => emaOver('encoder')(0.5)(target, { head: target.head! }), /emaOver: online tree has no tensor at encoder\.weight/)
})

test('ijepaMomentum: linear from 0.996 at step 0 to 1 at K = ipe·epochs·ipeScale, then constant', () => {
  const total = 10 * 3 * 1.25
  const m = ijepaMomentum({ totalSteps: total })
  assert.equal(m(0), 0.996)
  assert.equal(m(total), 1)
  assert.equal(m(total + 100), 1)
  // the reference generator: ema[0] + i*(ema[1]-ema[0])/(ipe*num_epochs*ipe_scale)
  for (let i = 0; i <= 37; i++) assert.ok(Math.abs(m(i) - (0.996 + (i * (1 - 0.996)) / total)) < 1e-15)
  fc.assert(fc.property(fc.integer({ min: 0, max: 10000 }).map((k) => k / 100), fc.integer({ min: 0, max: 10000 }).map((k) => k / 100), (a, b) => (a <= b ? m(a) <= m(b) : m(a) >= m(b))), RUNS)
  assert.throws(() => ijepaMomentum({ totalSteps: 0 }), /ijepaMomentum: totalSteps must be a number > 0; got 0/)
  assert.throws(() => m(-1), /ijepaMomentum: step must be a finite number >= 0; got -1/)
})

test('byolMomentum: cosine from τ0 at step 0 to 1 at K, monotone, midpoint halfway', () => {
  const tau = byolMomentum({ base: 0.99, totalSteps: 1000 })
  assert.equal(tau(0), 0.99)
  assert.equal(tau(1000), 1)
  assert.equal(tau(1500), 1)
  assert.equal(tau(5000), 1)
  assert.ok(Math.abs(tau(500) - 0.995) < 1e-12)
  fc.assert(fc.property(fc.integer({ min: 0, max: 20000 }).map((k) => k / 10), fc.integer({ min: 0, max: 20000 }).map((k) => k / 10), (a, b) => (a <= b ? tau(a) <= tau(b) + 1e-15 : tau(a) + 1e-15 >= tau(b))), RUNS)
  assert.throws(() => byolMomentum({ base: 2, totalSteps: 10 }), /byolMomentum \(base\): momentum m must be a number in \[0, 1\]; got 2/)
})
