/**
 * Every family trains on webgpu (SwiftShader here). For each family (tiny configs, batch 4), from the
 * same state, images and key, the loss and gradients of one step (`lossAndGradsDeferred`: the same
 * masks or views as the step) on webgpu agree with cpu within the parity tolerances of
 * test/ssl/ijepa-parity.test.ts: the loss within 1e-4·(1 + |loss|), each gradient tensor within
 * 1e-3 of its largest cpu entry (max |webgpu − cpu| ≤ 1e-3·max |cpu| + 1e-7). Except: a leaf whose
 * gradient is zero up to float32 rounding — below 1e-4 of the largest gradient entry of the whole
 * tree; in the joint families, the biases a following batch norm cancels (encoder.norm.bias before
 * the projector's BN, projector.fc*.bias) — holds rounding noise on both backends, and is held
 * to that level instead: max |webgpu − cpu| ≤ 1e-4·(largest entry of the tree).
 * The whole `stepDeferred` of I-JEPA, MAE and VICReg then runs on webgpu under `tf.profile` — the
 * kernel census: every kernel it ran is registered for webgpu (none missing) and the fused op
 * kernels with WGSL versions ran — and its metrics match cpu's (loss, gradNorm within 1e-3).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import { type ParamTree, decodeOrThrow, flatten, fold, keyOf, unflatten } from '@jepa-ts/core'
import {
  BarlowConfigCodec, ByolConfigCodec, IjepaConfigCodec, MaeConfigCodec, SimclrConfigCodec, SimsiamConfigCodec, VicregConfigCodec,
  barlowFamily, byol, ijepa, mae, simclr, simsiam, vicregFamily,
} from '@jepa-ts/ssl'
import { type Family, type StepMetrics, type TrainState, disposeState, readMetrics, stateFromTree, stateToTree } from '@jepa-ts/train'
import { isCustomGradWrapper } from '@jepa-ts/backend-native'
import { tinyIjepaInput } from '../ssl/ijepa-tiny.ts'
import { tinyMaeInput } from '../ssl/mae-tiny.ts'
import { tinyBase } from '../ssl/joint-harness.ts'
import { useSwiftshader } from './swiftshader.ts'

/** [name, family, census?] */
const families: ReadonlyArray<readonly [string, () => Family, boolean?]> = [
  ['ijepa', () => ijepa(decodeOrThrow(IjepaConfigCodec, tinyIjepaInput), { totalSteps: 10 }), true],
  ['mae', () => mae(decodeOrThrow(MaeConfigCodec, tinyMaeInput), { totalSteps: 10 }), true],
  ['simclr', () => simclr(decodeOrThrow(SimclrConfigCodec, tinyBase), { totalSteps: 10 })],
  ['vicreg', () => vicregFamily(decodeOrThrow(VicregConfigCodec, tinyBase), { totalSteps: 10 }), true],
  ['barlow', () => barlowFamily(decodeOrThrow(BarlowConfigCodec, tinyBase), { totalSteps: 10 })],
  ['byol', () => byol(decodeOrThrow(ByolConfigCodec, { ...tinyBase, predictor: { hidden: 32 }, momentum: 0.9 }), { totalSteps: 10 })],
  ['simsiam', () => simsiam(decodeOrThrow(SimsiamConfigCodec, { ...tinyBase, predictor: { hidden: 8 } }), { totalSteps: 10 })],
]

/** The state as host arrays (read on cpu). */
type HostState = { readonly step: number; readonly leaves: ReadonlyArray<readonly [string, Float32Array | Int32Array, number[]]> }

const toHost = async (s: TrainState): Promise<HostState> => ({
  step: s.step,
  leaves: await Promise.all(flatten(stateToTree(s)).map(async ([p, t]) => [p, (await t.data()) as Float32Array | Int32Array, t.shape] as const)),
})

const fromHost = (h: HostState): TrainState => stateFromTree(unflatten(h.leaves.map(([p, v, shape]) => [p, tf.tensor(v, shape)] as const)) as ParamTree, h.step)

const images = (): tf.Tensor4D => tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(Float32Array.from({ length: 4 * 16 }, (_, i) => ((i * 37) % 17) / 17), [4, 4, 4, 1]), [16, 16]))

/** Loss and gradients on the active backend from `start`, as host values. */
const gradsOn = async (family: Family, start: HostState): Promise<{ loss: number; grads: ReadonlyArray<readonly [string, Float32Array]> }> => {
  const f = family.lossAndGradsDeferred
  assert.ok(f !== undefined, `${family.name} exposes lossAndGradsDeferred`)
  const x = images()
  const state = fromHost(start)
  const r = f(state, x, fold(keyOf(7), 0))
  const loss = (await r.loss.data())[0]!
  const grads = await Promise.all(flatten(r.grads).map(async ([p, g]) => [p, (await g.data()) as Float32Array] as const))
  tf.dispose([x, r.loss, ...Object.values(r.aux), ...flatten(r.grads).map(([, g]) => g)])
  disposeState(state)
  return { loss, grads }
}

/** One deferred step on the active backend from `start`, profiled; host metrics and the kernels it ran. */
const profiledStep = async (family: Family, start: HostState): Promise<{ metrics: StepMetrics; kernels: Set<string> }> => {
  const step = family.stepDeferred
  assert.ok(step !== undefined, `${family.name} has a deferred step`)
  const x = images()
  let result: ReturnType<typeof step> | undefined
  const profile = await tf.profile(() => {
    result = step(fromHost(start), x, fold(keyOf(7), 0))
  })
  x.dispose()
  const metrics = await readMetrics(result!.metrics)
  disposeState(result!.state)
  return { metrics, kernels: new Set(profile.kernels.map((k) => k.name)) }
}

const WGSL_OPS = ['JepaLayerNorm', 'JepaGelu', 'JepaGeluGrad', 'JepaAttention']

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-4 * (1 + Math.abs(b))

for (const [name, make, census] of families) {
  test(`${name}: loss and gradients of one step on webgpu agree with cpu${census === true ? '; the whole step runs only webgpu kernels' : ''}`, async () => {
    await tf.setBackend('cpu')
    const family = make()
    const init = family.init(keyOf(3))
    const start = await toHost(init)
    disposeState(init)
    const cpu = await gradsOn(family, start)
    await useSwiftshader()
    const gpu = await gradsOn(family, start)
    assert.ok(close(gpu.loss, cpu.loss), `loss: webgpu ${gpu.loss} cpu ${cpu.loss}`)
    assert.deepEqual(gpu.grads.map(([p]) => p), cpu.grads.map(([p]) => p), 'the same gradient leaves')
    const maxAbs = (a: Float32Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0)
    const global = Math.max(...cpu.grads.map(([, g]) => maxAbs(g)))
    for (const [i, [path, ref]] of cpu.grads.entries()) {
      const got = gpu.grads[i]![1]
      const scale = maxAbs(ref)
      let err = 0
      for (let j = 0; j < ref.length; j++) err = Math.max(err, Math.abs(got[j]! - ref[j]!))
      const noise = scale < 1e-4 * global
      assert.ok(noise ? err <= 1e-4 * global : err <= 1e-3 * scale + 1e-7, `${name} gradient ${path}: max |webgpu − cpu| ${err} vs max |cpu| ${scale} (tree ${global})`)
    }
    if (census !== true) {
      await tf.setBackend('cpu')
      return
    }

    const step = await profiledStep(family, start)
    await tf.setBackend('cpu')
    const host = await profiledStep(family, start)
    assert.ok(close(step.metrics.loss, host.metrics.loss), `step loss: webgpu ${step.metrics.loss} cpu ${host.metrics.loss}`)
    const gn = host.metrics['gradNorm']!
    assert.ok(Math.abs(step.metrics['gradNorm']! - gn) <= 1e-3 * gn, `gradNorm: webgpu ${step.metrics['gradNorm']} cpu ${gn}`)
    const missing = [...step.kernels].filter((k) => !isCustomGradWrapper(k) && tf.getKernel(k, 'webgpu') === undefined)
    assert.deepEqual(missing, [], `${name}: kernels without a webgpu kernel`)
    for (const k of WGSL_OPS) assert.ok(step.kernels.has(k), `${name}: the WGSL kernel ${k} ran (saw ${[...step.kernels].sort().join(', ')})`)
  })
}
