/** AdamW: parity with torch.optim.AdamW, decay groups, purity and a flat live-tensor count. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { type ParamTree, flatten, unflatten, disposeTree, mapTree } from '@jepa-ts/core'
import { adamwInit, adamwStep, disposeOptState, decayExceptBiasAnd1d, warmupCosine, cosineWeightDecay } from '@jepa-ts/train'

await tf.setBackend('cpu')

const fixture: unknown = JSON.parse(readFileSync(new URL('../fixtures/energies/adamw.json', import.meta.url), 'utf8'))
const field = (o: unknown, key: string): unknown => {
  if (typeof o !== 'object' || o === null || !(key in o)) throw new Error(`adamw fixture: missing field ${key}`)
  return (o as Record<string, unknown>)[key]
}
const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : typeof x === 'number' ? [x] : (() => { throw new Error('adamw fixture: not a number array') })())
const shapeOf = (x: unknown): number[] => (Array.isArray(x) ? [x.length, ...shapeOf(x[0])] : [])
const treeOf = (o: unknown): ParamTree => {
  if (typeof o !== 'object' || o === null) throw new Error('adamw fixture: expected an object of arrays')
  return unflatten(Object.entries(o).map(([path, v]) => [path, tf.tensor(flat(v), shapeOf(v))] as const))
}
const values = (tree: ParamTree): Record<string, number[]> => Object.fromEntries(flatten(tree).map(([p, t]) => [p, [...t.dataSync()]]))

test('three steps match torch.optim.AdamW within 1e-6, with biases and 1-D params excluded from decay', () => {
  const [beta1, beta2] = flat(field(fixture, 'betas'))
  const eps = flat(field(fixture, 'eps'))[0]!
  let params = treeOf(field(fixture, 'initial'))
  const decayed = flatten(params).filter(([p, t]) => decayExceptBiasAnd1d(p, t)).map(([p]) => p)
  const torchDecayed = field(fixture, 'decayed')
  assert.ok(Array.isArray(torchDecayed) && torchDecayed.every((p) => typeof p === 'string'), 'adamw fixture: decayed must be a list of paths')
  assert.deepEqual(decayed.sort(), [...torchDecayed].sort())
  let state = adamwInit(params)
  const steps = field(fixture, 'steps')
  assert.ok(Array.isArray(steps) && steps.length === 3)
  for (const [k, s] of steps.entries()) {
    const grads = treeOf(field(s, 'grads'))
    const next = adamwStep(params, grads, state, { lr: flat(field(s, 'lr'))[0]!, weightDecay: flat(field(s, 'weightDecay'))[0]!, beta1: beta1!, beta2: beta2!, eps })
    disposeTree(params)
    disposeTree(grads)
    disposeOptState(state)
    params = next.params
    state = next.state
    const expected = field(s, 'params')
    for (const [path, actual] of Object.entries(values(params))) {
      const want = flat(field(expected, path))
      actual.forEach((x, i) => assert.ok(Math.abs(x - want[i]!) <= 1e-6, `step ${k + 1} ${path}[${i}]: ${x} vs torch ${want[i]}`))
    }
  }
  assert.equal(state.step, 3)
})

test('decay only touches decayed leaves: with zero gradients, 1-D params and biases stay put', () => {
  fc.assert(
    fc.property(fc.double({ min: 1e-3, max: 0.5, noNaN: true }), fc.double({ min: 1e-3, max: 1, noNaN: true }), (lr, weightDecay) =>
      tf.tidy(() => {
        const params: ParamTree = { proj: { weight: tf.ones([2, 2]), bias: tf.ones([2]) }, norm: { weight: tf.ones([2]) } }
        const zeros = mapTree(params, (t) => tf.zerosLike(t))
        const next = values(adamwStep(params, zeros, adamwInit(params), { lr, weightDecay }).params)
        assert.deepEqual(next['proj.bias'], [1, 1])
        assert.deepEqual(next['norm.weight'], [1, 1])
        const shrunk = Math.fround(1 * (1 - lr * weightDecay))
        return next['proj.weight']!.every((x) => Math.abs(x - shrunk) <= 1e-7)
      }),
    ),
    { numRuns: 30 },
  )
})

test('the decay predicate overrides the default groups', () => {
  const params: ParamTree = { proj: { weight: tf.ones([2, 2]), bias: tf.ones([2]) } }
  const zeros = mapTree(params, (t) => tf.zerosLike(t))
  const next = values(adamwStep(params, zeros, adamwInit(params), { lr: 0.1, weightDecay: 0.5, decays: (path) => path === 'proj.bias' }).params)
  assert.deepEqual(next['proj.weight'], [1, 1, 1, 1])
  assert.ok(next['proj.bias']!.every((x) => Math.abs(x - 0.95) < 1e-7))
})

test('the first step moves every coordinate by lr·sign(g) (bias-corrected Adam), whatever the gradient scale', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: -100, max: 100, noNaN: true }).filter((g) => Math.abs(g) > 1e-2), { minLength: 3, maxLength: 3 }), (g) =>
      tf.tidy(() => {
        const params: ParamTree = { w: tf.zeros([3]) }
        const next = values(adamwStep(params, { w: tf.tensor1d(g) }, adamwInit(params), { lr: 0.01, weightDecay: 0 }).params)
        return next['w']!.every((x, i) => Math.abs(x + 0.01 * Math.sign(g[i]!)) < 1e-6)
      }),
    ),
    { numRuns: 30 },
  )
})

test('adamwStep is pure and the live tensor count stays flat over 20 steps when the caller disposes the old state', () => {
  let params: ParamTree = { encoder: { weight: tf.randomNormal([4, 3]), bias: tf.zeros([3]) }, norm: { weight: tf.ones([3]) } }
  let state = adamwInit(params)
  const lrAt = warmupCosine({ startLr: 1e-4, lr: 1e-2, finalLr: 1e-5, warmupSteps: 5, totalSteps: 20 })
  const wdAt = cosineWeightDecay({ weightDecay: 0.04, finalWeightDecay: 0.4, totalSteps: 20 })
  const before = values(params)
  const grads0 = mapTree(params, (t) => tf.onesLike(t))
  const first = adamwStep(params, grads0, state, { lr: lrAt(1), weightDecay: wdAt(1) })
  assert.deepEqual(values(params), before, 'inputs are not mutated')
  assert.equal(state.step, 0)
  disposeTree(params)
  disposeTree(grads0)
  disposeOptState(state)
  params = first.params
  state = first.state
  const baseline = tf.memory().numTensors
  for (let k = 1; k < 21; k++) {
    const grads = tf.tidy(() => mapTree(params, (t) => tf.mul(t, 0.1)))
    const next = adamwStep(params, grads, state, { lr: lrAt(k + 1), weightDecay: wdAt(k + 1) })
    disposeTree(params)
    disposeTree(grads)
    disposeOptState(state)
    params = next.params
    state = next.state
    assert.equal(tf.memory().numTensors, baseline, `live tensors changed at step ${k}`)
  }
  assert.equal(state.step, 21)
  disposeTree(params)
  disposeOptState(state)
})

test('mismatched trees and bad options are errors naming the path or the field', () => {
  const params: ParamTree = { proj: { weight: tf.ones([2, 2]) } }
  const state = adamwInit(params)
  assert.throws(() => adamwStep(params, { proj: { weight: tf.ones([2, 3]) } }, state, { lr: 0.1, weightDecay: 0 }), /adamwStep: grads at proj\.weight has shape \[2,3\], expected \[2,2\] like the param/)
  assert.throws(() => adamwStep(params, { proj: { w: tf.ones([2, 2]) } }, state, { lr: 0.1, weightDecay: 0 }), /adamwStep: grads has no tensor at proj\.weight/)
  assert.throws(() => adamwStep(params, { proj: { weight: tf.ones([2, 2]), extra: tf.ones([1]) } }, state, { lr: 0.1, weightDecay: 0 }), /adamwStep: grads has 2 leaves, params 1 \(not in params: proj\.extra\)/)
  assert.throws(() => adamwStep(params, params, state, { lr: -1, weightDecay: 0 }), /adamwStep: option lr must be a number >= 0; got -1/)
  assert.throws(() => adamwStep(params, params, state, { lr: 0.1, weightDecay: 0, beta2: 1 }), /adamwStep: option beta2 must be in \[0, 1\); got 1/)
})
