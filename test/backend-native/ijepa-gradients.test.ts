/**
 * The full I-JEPA step agrees across backends (issue #6): for one tiny I-JEPA model (pixel norm,
 * scaled patch embedding, masks from the collator, target branch, predictor, smooth-L1), the loss
 * and the gradient of every parameter on `native` and on `wasm` match the `cpu` reference within
 * float32 tolerance; then one whole `step` (AdamW and the EMA of the target encoder) leaves the
 * same params, moments and target on every backend (wasm with core's fixes, as the engine runs it).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { type ParamTree, disposeTree, flatten, fold, keyOf, mapTree } from '@jepa-ts/core'
import { installWasmFixes } from '@jepa-ts/engine'
import { decodeIjepaConfigOrThrow, energyOf, ijepa, ijepaLossAndGrads, ijepaParts } from '@jepa-ts/ssl'
import type { TrainState } from '@jepa-ts/train'
import { fixedImages, tinyIjepaInput } from '../ssl/ijepa-tiny.ts'
import { assertClose, setup } from './harness.ts'

const config = decodeIjepaConfigOrThrow({ ...tinyIjepaInput, pixelNorm: { mean: 0.3, std: 0.35 }, patchInitStd: 0.1 })
const parts = ijepaParts(config, 10)
const family = ijepa(config, { totalSteps: 10 })
const KEY = fold(keyOf(9), 0)

type Snapshot = Map<string, Float32Array>

const snap = (tree: ParamTree, prefix: string): Snapshot => new Map(flatten(tree).map(([p, t]) => [`${prefix}${p}`, Float32Array.from(t.dataSync())]))

interface Outcome {
  readonly loss: number
  readonly grads: Snapshot
  readonly next: Snapshot
}

/** A copy of `s` made on the active backend from `values` (path → data); `s` only lends its shapes. */
const rebuild = (s: TrainState, values: Snapshot): TrainState => {
  const at = (prefix: string) => (t: tf.Tensor, path: string) => tf.tensor(values.get(`${prefix}${path}`)!, t.shape)
  return { step: s.step, params: mapTree(s.params, at('params.')), target: mapTree(s.target, at('target.')), opt: { step: s.opt.step, m: mapTree(s.opt.m, at('m.')), v: mapTree(s.opt.v, at('v.')) } }
}

const snapState = (s: TrainState): Snapshot => new Map([...snap(s.params, 'params.'), ...snap(s.target, 'target.'), ...snap(s.opt.m, 'm.'), ...snap(s.opt.v, 'v.')])

const disposeState = (s: TrainState): void => {
  for (const t of [s.params, s.target, s.opt.m, s.opt.v]) disposeTree(t)
}

/**
 * Loss and grads of the step, then the state after one `step`, on `backend`. The state and images
 * are rebuilt there from plain arrays: letting tfjs move cpu tensors lazily inside a
 * `tf.customGrad` op trips its kernel leak check (the move is counted at the inner kernel only).
 */
const runOn = async (backend: string, template: TrainState, initial: Snapshot, pixels: Float32Array): Promise<Outcome> => {
  assert.ok(await tf.setBackend(backend), `backend ${backend} initializes`)
  const state = rebuild(template, initial)
  const images = tf.tensor4d(pixels, [4, 16, 16, 1])
  const r = ijepaLossAndGrads(parts, energyOf('smoothL1'))(state, images, KEY)
  const grads = snap(r.grads, '')
  disposeTree(r.grads)
  const next = family.step(state, images, KEY).state // consumes state.target
  const after = snapState(next)
  disposeState(next)
  disposeTree(state.params)
  disposeTree(state.opt.m)
  disposeTree(state.opt.v)
  images.dispose()
  return { loss: r.loss, grads, next: after }
}

const assertSnapshotsClose = (got: Snapshot, ref: Snapshot, what: string): void => {
  assert.deepEqual([...got.keys()], [...ref.keys()], `${what}: the same leaves`)
  for (const [path, want] of ref) {
    const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0)
    assertClose(got.get(path)!, want, 1e-3, 1e-3 * scale + 1e-7, `${what} ${path}`)
  }
}

test('the full I-JEPA step: loss, every gradient and the AdamW + EMA update agree on native and wasm with cpu', async () => {
  await setup()
  installWasmFixes() // what the engine installs with wasm: gather's gradient kernel among them
  await tf.setBackend('cpu')
  const state = family.init(keyOf(5))
  // A target that differs from the online encoder (as after training), so the EMA moves it.
  const initial = new Map([...snapState(state)].map(([k, v]) => [k, k.startsWith('target.') ? v.map((x, i) => x * 1.5 + 0.01 * Math.sin(i)) : v]))
  const pixels = Float32Array.from(fixedImages(4).dataSync())
  const ref = await runOn('cpu', state, initial, pixels)
  assert.ok(ref.grads.size > 20 && [...ref.grads.values()].every((g) => g.some((v) => v !== 0)), 'the reference has a non-zero gradient for every parameter')
  for (const backend of ['native', 'wasm']) {
    const got = await runOn(backend, state, initial, pixels)
    assert.ok(Math.abs(got.loss - ref.loss) <= 1e-4 * Math.abs(ref.loss), `${backend} loss ${got.loss} vs cpu ${ref.loss}`)
    assertSnapshotsClose(got.grads, ref.grads, `${backend} gradient`)
    assertSnapshotsClose(got.next, ref.next, `${backend} after one step:`)
  }
  await tf.setBackend('cpu')
  disposeState(state)
  await tf.setBackend('native')
})
