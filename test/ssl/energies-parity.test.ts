/**
 * Differential tests: every energy against PyTorch on the fixtures written by
 * tools/parity/energies.py (values within 1e-5 relative, 1e-4 for MAE; gradients within 1e-4 of
 * the largest gradient entry, taken with tf.grad against torch.autograd).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs'
import { smoothL1, l2, patchify, maeLoss, ntXent, vicreg, barlowTwins, negativeCosine, byolLoss } from '@jepa-ts/ssl'

await tf.setBackend('cpu')

const fixture: unknown = JSON.parse(readFileSync(new URL('../fixtures/energies/energies.json', import.meta.url), 'utf8'))

const field = (o: unknown, key: string): unknown => {
  if (typeof o !== 'object' || o === null || !(key in o)) throw new Error(`fixture: missing field ${key}`)
  return (o as Record<string, unknown>)[key]
}
const num = (o: unknown, key: string): number => {
  const v = field(o, key)
  if (typeof v !== 'number') throw new Error(`fixture: ${key} is not a number`)
  return v
}
const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : typeof x === 'number' ? [x] : (() => { throw new Error('fixture: not a number array') })())
const shapeOf = (x: unknown): number[] => (Array.isArray(x) ? [x.length, ...shapeOf(x[0])] : [])
const tensor = (o: unknown, key: string): tf.Tensor => {
  const v = field(o, key)
  return tf.tensor(flat(v), shapeOf(v))
}
const t2 = (o: unknown, key: string): tf.Tensor2D => tensor(o, key) as tf.Tensor2D
const t3 = (o: unknown, key: string): tf.Tensor3D => tensor(o, key) as tf.Tensor3D
const caseOf = (name: string): unknown => field(field(fixture, 'cases'), name)

const assertClose = (actual: number, expected: number, relTol: number, what: string): void => {
  assert.ok(Math.abs(actual - expected) <= relTol * Math.max(Math.abs(expected), 1e-6), `${what}: ${actual} vs torch ${expected} (rel tol ${relTol})`)
}
const assertArrayClose = (actual: ArrayLike<number>, expected: readonly number[], relTol: number, what: string): void => {
  assert.equal(actual.length, expected.length, `${what}: length`)
  const scale = Math.max(...expected.map(Math.abs), 1e-6)
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= relTol * scale, `${what}[${i}]: ${actual[i]} vs torch ${expected[i]} (tol ${relTol}·${scale})`)
  }
}
const valueAndGrad = (f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor): { value: number; grad: Float32Array } => {
  const { value, grad } = tf.valueAndGrad(f)(x)
  const out = { value: value.dataSync()[0]!, grad: grad.dataSync() as Float32Array }
  value.dispose()
  grad.dispose()
  return out
}

test('smoothL1 (beta 1 and 0.5) and l2 match torch values and gradients', () => {
  for (const name of ['smoothL1_beta1.0', 'smoothL1_beta0.5']) {
    const c = caseOf(name)
    const target = tensor(c, 'target')
    const r = valueAndGrad((p) => smoothL1(p, target, { beta: num(c, 'beta') }), tensor(c, 'pred'))
    assertClose(r.value, num(c, 'value'), 1e-5, name)
    assertArrayClose(r.grad, flat(field(c, 'gradPred')), 1e-4, `${name} grad`)
  }
  const c = caseOf('l2')
  const target = tensor(c, 'target')
  const r = valueAndGrad((p) => l2(p, target), tensor(c, 'pred'))
  assertClose(r.value, num(c, 'value'), 1e-5, 'l2')
  assertArrayClose(r.grad, flat(field(c, 'gradPred')), 1e-4, 'l2 grad')
})

test('patchify of NHWC images equals the MAE reference patchify of the same NCHW images', () => {
  const c = caseOf('mae')
  const patches = patchify(tensor(c, 'images') as tf.Tensor4D, num(c, 'patch'))
  assert.deepEqual(patches.shape, shapeOf(field(c, 'patches')))
  assert.deepEqual([...patches.dataSync()], flat(field(c, 'patches')))
})

test('maeLoss matches the MAE reference forward_loss with and without norm_pix', () => {
  const c = caseOf('mae')
  const target = t3(c, 'patches')
  const mask = t2(c, 'mask')
  for (const normPix of [true, false]) {
    const r = valueAndGrad((p) => maeLoss(p as tf.Tensor3D, target, mask, { normPix }), t3(c, 'pred'))
    assertClose(r.value, num(c, `value_normPix_${normPix}`), 1e-4, `maeLoss normPix=${normPix}`)
    assertArrayClose(r.grad, flat(field(c, `gradPred_normPix_${normPix}`)), 1e-4, `maeLoss normPix=${normPix} grad`)
  }
})

test('ntXent matches the SimCLR/lightly NT-Xent at temperatures 0.5 and 0.1', () => {
  for (const name of ['ntXent_tau0.5', 'ntXent_tau0.1']) {
    const c = caseOf(name)
    const zb = t2(c, 'zb')
    const r = valueAndGrad((a) => ntXent(a as tf.Tensor2D, zb, { temperature: num(c, 'temperature') }), t2(c, 'za'))
    assertClose(r.value, num(c, 'value'), 1e-5, name)
    assertArrayClose(r.grad, flat(field(c, 'gradZa')), 1e-4, `${name} grad`)
  }
})

test('vicreg matches the reference loss and each of its three terms', () => {
  const c = caseOf('vicreg')
  const za = t2(c, 'za')
  const zb = t2(c, 'zb')
  const terms = vicreg(za, zb)
  assertClose(terms.invariance.dataSync()[0]!, num(c, 'invariance'), 1e-5, 'invariance')
  assertClose(terms.variance.dataSync()[0]!, num(c, 'variance'), 1e-5, 'variance')
  assertClose(terms.covariance.dataSync()[0]!, num(c, 'covariance'), 1e-5, 'covariance')
  assert.ok(num(c, 'variance') > 0, 'the fixture exercises the variance hinge')
  const r = valueAndGrad((a) => vicreg(a as tf.Tensor2D, zb).loss, za)
  assertClose(r.value, num(c, 'value'), 1e-5, 'vicreg')
  assertArrayClose(r.grad, flat(field(c, 'gradZa')), 1e-4, 'vicreg grad')
})

test('barlowTwins matches the paper code (BatchNorm1d without affine)', () => {
  const c = caseOf('barlowTwins')
  const zb = t2(c, 'zb')
  const r = valueAndGrad((a) => barlowTwins(a as tf.Tensor2D, zb, { lambda: num(c, 'lambda') }), t2(c, 'za'))
  assertClose(r.value, num(c, 'value'), 1e-5, 'barlowTwins')
  assertArrayClose(r.grad, flat(field(c, 'gradZa')), 1e-4, 'barlowTwins grad')
})

test('negativeCosine and byolLoss match SimSiam and BYOL', () => {
  const neg = caseOf('negativeCosine')
  const zn = t2(neg, 'z')
  const r1 = valueAndGrad((p) => negativeCosine(p as tf.Tensor2D, zn), t2(neg, 'p'))
  assertClose(r1.value, num(neg, 'value'), 1e-5, 'negativeCosine')
  assertArrayClose(r1.grad, flat(field(neg, 'gradP')), 1e-4, 'negativeCosine grad')
  const byol = caseOf('byolLoss')
  const zb = t2(byol, 'z')
  const r2 = valueAndGrad((p) => byolLoss(p as tf.Tensor2D, zb), t2(byol, 'p'))
  assertClose(r2.value, num(byol, 'value'), 1e-5, 'byolLoss')
  assertArrayClose(r2.grad, flat(field(byol, 'gradP')), 1e-4, 'byolLoss grad')
})
