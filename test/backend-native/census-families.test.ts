/**
 * The kernel census over the family training steps (issue #6): one full I-JEPA, MAE and VICReg step
 * (masks or views, forward, backward, AdamW, EMA where the family has one) on `native` runs only
 * native kernels or kernels on the justified fallback list, and no native kernel defers to cpu
 * without a listed reason; the kernels of the @jepa-ts/ops ops the step uses (linear, layer norm,
 * GELU, attention, AdamW, EMA) ran natively. Tiny configs: the kernel set does not depend on the sizes.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import { CPU_FALLBACKS, NATIVE_KERNELS, isCustomGradWrapper, activeNativeBackend } from '@jepa-ts/backend-native'
import { decodeOrThrow, fold, keyOf } from '@jepa-ts/core'
import { IjepaConfigCodec, MaeConfigCodec, VicregConfigCodec, ijepa, mae, vicregFamily } from '@jepa-ts/ssl'
import type { Family } from '@jepa-ts/train'
import { tinyIjepaInput, fixedImages } from '../ssl/ijepa-tiny.ts'
import { tinyMaeInput } from '../ssl/mae-tiny.ts'
import { tinyBase } from '../ssl/joint-harness.ts'
import { setup } from './harness.ts'

/** Each family with the kernels of @jepa-ts/ops its step must run natively (the model code only calls the ops). */
const families: ReadonlyArray<readonly [string, () => Family, readonly string[]]> = [
  ['I-JEPA', () => ijepa(decodeOrThrow(IjepaConfigCodec, tinyIjepaInput), { totalSteps: 10 }), ['JepaLinear', 'JepaLayerNorm', 'JepaLayerNormGrad', 'JepaGelu', 'JepaGeluGrad', 'JepaAttention', 'JepaAttentionGrad', 'JepaAdamW', 'JepaEma']],
  ['MAE', () => mae(decodeOrThrow(MaeConfigCodec, tinyMaeInput), { totalSteps: 10 }), ['JepaLinear', 'JepaLayerNorm', 'JepaLayerNormGrad', 'JepaGelu', 'JepaGeluGrad', 'JepaAttention', 'JepaAttentionGrad', 'JepaAdamW']],
  ['VICReg', () => vicregFamily(decodeOrThrow(VicregConfigCodec, tinyBase), { totalSteps: 10 }), ['JepaLinear', 'JepaLayerNorm', 'JepaLayerNormGrad', 'JepaGelu', 'JepaGeluGrad', 'JepaAttention', 'JepaAttentionGrad', 'JepaAdamW']],
]

for (const [name, make, opKernels] of families) {
  test(`census: one ${name} training step runs only native or justified kernels`, async () => {
    await setup()
    await tf.setBackend('native')
    const backend = activeNativeBackend()
    assert.ok(backend !== undefined, 'the native backend is active')
    const family = make()
    const images = fixedImages(4)
    let state = family.init(keyOf(1))
    state = family.step(state, images, fold(keyOf(2), 0)).state // first step: lazy setup out of the census
    backend.resetStats()
    const info = await tf.profile(() => {
      state = family.step(state, images, fold(keyOf(2), 1)).state
    })
    const kernels = new Set(info.kernels.map((k) => k.name))
    assert.ok(kernels.has('BatchMatMul') || kernels.has('_FusedMatMul'), `the profile saw the ${name} step`)
    const ranNatively = new Set(backend.stats.native.keys())
    for (const k of opKernels) assert.ok(ranNatively.has(k), `${name}: the op kernel ${k} ran natively (saw ${[...ranNatively].sort().join(', ')})`)
    const unknown = [...kernels].filter((k) => !NATIVE_KERNELS.includes(k) && !(k in CPU_FALLBACKS) && !isCustomGradWrapper(k))
    assert.deepEqual(unknown, [], `${name}: kernels neither native nor on the justified fallback list`)
    const unjustified = [...backend.stats.fallback.keys()].filter((k) => !(k in CPU_FALLBACKS))
    assert.deepEqual(unjustified, [], `${name}: native kernels that fell back to cpu without a listed reason`)
    images.dispose()
  })
}
