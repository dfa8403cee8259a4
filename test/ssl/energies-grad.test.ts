/**
 * Gradients of the energies (tfjs autodiff) against central finite differences.
 *
 * Choice: the finite differences are taken on the same tfjs functions in float32, along a random
 * unit direction v: (f(x + h·v) − f(x − h·v)) / 2h versus ⟨∇f(x), v⟩, with h = 1e-2 and a tolerance
 * of 2e-2·max(1, |⟨∇f, v⟩|). In float32 the truncation error is O(h²·f''') and the rounding error
 * O(ε·|f|/h) ≈ 1e-5·|f|, both far inside that tolerance, while a wrong or missing gradient path
 * (e.g. a stop-gradient in the wrong place) is off by O(1). A float64 JS twin of every energy would
 * be a second implementation to keep in sync; the exact gradient values are already checked against
 * torch.autograd in energies-parity.test.ts. Inputs come from seeded Threefry normals; VICReg inputs
 * whose stds sit within 0.1 of the ReLU kink are skipped (the energy is not differentiable there).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { keyOf, fold, normal } from '@jepa-ts/core'
import { smoothL1, l2, maeLoss, ntXent, vicreg, barlowTwins, negativeCosine, byolLoss, stopGradient } from '@jepa-ts/ssl'

await tf.setBackend('cpu')

const STEP = 1e-2
const TOL = 2e-2

/** Checks ⟨∇f(x), v⟩ against the central difference along a random unit direction v. */
const checkDirectional = (name: string, f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, seed: number): boolean =>
  tf.tidy(() => {
    const raw = tf.tensor(normal(fold(keyOf(seed), 'direction'), x.size), x.shape)
    const v = tf.div(raw, tf.norm(raw))
    const analytic = tf.sum(tf.mul(tf.grad(f)(x), v)).dataSync()[0]!
    const plus = f(tf.add(x, tf.mul(v, STEP))).dataSync()[0]!
    const minus = f(tf.sub(x, tf.mul(v, STEP))).dataSync()[0]!
    const numeric = (plus - minus) / (2 * STEP)
    assert.ok(Math.abs(analytic - numeric) <= TOL * Math.max(1, Math.abs(analytic)), `${name}: autodiff ${analytic} vs finite difference ${numeric}`)
    return true
  })

const gaussian = (seed: number, tag: string, shape: number[], scale = 1): tf.Tensor => tf.mul(tf.tensor(normal(fold(keyOf(seed), tag), shape.reduce((a, b) => a * b, 1)), shape), scale)

const RUNS = { numRuns: 15 }

test('smoothL1, l2 and maeLoss gradients agree with finite differences', () => {
  fc.assert(
    fc.property(fc.nat(), (seed) => {
      const target = gaussian(seed, 'target', [3, 4], 1.5)
      checkDirectional('smoothL1', (p) => smoothL1(p, target), gaussian(seed, 'pred', [3, 4], 1.5), seed)
      checkDirectional('smoothL1 beta 0.3', (p) => smoothL1(p, target, { beta: 0.3 }), gaussian(seed, 'pred', [3, 4], 1.5), seed + 1)
      checkDirectional('l2', (p) => l2(p, target), gaussian(seed, 'pred', [3, 4]), seed)
      const patches = gaussian(seed, 'patches', [2, 3, 6]) as tf.Tensor3D
      const mask = tf.tensor2d([[1, 0, 1], [0, 1, 1]])
      return checkDirectional('maeLoss', (p) => maeLoss(p as tf.Tensor3D, patches, mask), gaussian(seed, 'mae', [2, 3, 6]), seed)
    }),
    RUNS,
  )
})

test('ntXent, barlowTwins, negativeCosine and byolLoss gradients agree with finite differences', () => {
  fc.assert(
    fc.property(fc.nat(), (seed) => {
      const zb = gaussian(seed, 'zb', [5, 4]) as tf.Tensor2D
      const za = gaussian(seed, 'za', [5, 4])
      checkDirectional('ntXent', (a) => ntXent(a as tf.Tensor2D, zb), za, seed)
      checkDirectional('barlowTwins', (a) => barlowTwins(a as tf.Tensor2D, zb), za, seed)
      checkDirectional('negativeCosine', (a) => negativeCosine(a as tf.Tensor2D, zb), za, seed)
      return checkDirectional('byolLoss', (a) => byolLoss(a as tf.Tensor2D, zb), za, seed)
    }),
    RUNS,
  )
})

test('vicreg gradients agree with finite differences away from the variance kink', () => {
  fc.assert(
    fc.property(fc.nat(), fc.constantFrom(0.5, 2), (seed, scale) => {
      const za = gaussian(seed, 'za', [6, 3], scale)
      const zb = gaussian(seed, 'zb', [6, 3], scale) as tf.Tensor2D
      const stds = tf.tidy(() => [...tf.moments(za, 0).variance.mul(6 / 5).add(1e-4).sqrt().dataSync(), ...tf.moments(zb, 0).variance.mul(6 / 5).add(1e-4).sqrt().dataSync()])
      fc.pre(stds.every((s) => Math.abs(s - 1) > 0.1))
      return checkDirectional('vicreg', (a) => vicreg(a as tf.Tensor2D, zb).loss, za, seed)
    }),
    RUNS,
  )
})

test('stopGradient passes values through and blocks gradients', () => {
  const x = tf.tensor1d([3, -2])
  assert.deepEqual([...stopGradient(x).dataSync()], [3, -2])
  // d/dx [sg(x)·x] = sg(x) = x, not 2x
  assert.deepEqual([...tf.grad((t: tf.Tensor) => tf.sum(tf.mul(stopGradient(t), t)))(x).dataSync()], [3, -2])
  assert.deepEqual([...tf.grad((t: tf.Tensor) => tf.sum(stopGradient(t)))(x).dataSync()], [0, 0])
})
