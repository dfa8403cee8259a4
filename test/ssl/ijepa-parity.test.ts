/**
 * Parity with PyTorch (tools/parity/predictor_step.py, Debian's PyTorch 1.13, the reference module
 * structure and state_dict names): the I-JEPA loss and the gradients of every online param (predictor
 * and context encoder) for fixed weights, images and masks; the MAE predictions and loss for fixed
 * weights, images and masking; one full step (AdamW with the reference param groups + EMA).
 * Tolerances: loss within 1e-4 absolute; each gradient tensor within
 * 1e-3 of its largest reference entry (max |ours − ref| ≤ 1e-3 · max |ref|); params after the step within
 * 1e-5 absolute where |g_ref| ≥ 1e-6 (the first AdamW step is ≈ lr·g/(|g| + ε), so entries with a
 * gradient near ε are held to one step's bound, 2·lr).
 */
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type DecodedTensor, type ParamTree, decodeSafetensors, flatten, keyOf, unflatten } from '@jepa-ts/core'
import { useBackend } from '@jepa-ts/engine'
import { adamwInit } from '@jepa-ts/train'
import { decodeIjepaConfigOrThrow, decodeMaeConfigOrThrow, emaUpdate, energyOf, ijepaLossAndGradsAt, optimizerStep, ijepaParts, maeForward, maeLoss, maeParts, patchify } from '@jepa-ts/ssl'

const FIXTURE = fileURLToPath(new URL('../fixtures/parity/ijepa-step.safetensors', import.meta.url))
let fx: Map<string, DecodedTensor>
before(async () => {
  await useBackend('cpu')
  const decoded = decodeSafetensors(readFileSync(FIXTURE), FIXTURE)
  if (E.isLeft(decoded)) throw new Error(decoded.left.message)
  fx = new Map(Object.entries(decoded.right.tensors))
})

const get = (name: string): tf.Tensor => {
  const t = fx.get(name)
  if (t === undefined) throw new Error(`${FIXTURE}: missing tensor ${name}`)
  return tf.tensor(t.data, [...t.shape], t.dtype === 'F32' ? 'float32' : 'int32')
}
/** Fixture tensors under `prefix.` as a tree; the reference's frozen pos-embed buffers are constants here, not params. */
const treeOf = (prefix: string): ParamTree =>
  unflatten([...fx.keys()].filter((k) => k.startsWith(`${prefix}.`) && !k.endsWith('pos_embed')).map((k) => [k.slice(prefix.length + 1), get(k)] as const))

const image = [16, 16, 1] as const
const ijepaConfig = decodeIjepaConfigOrThrow({ image, patchSize: 4, encoder: { dim: 32, depth: 1, heads: 4 }, predictor: { dim: 16, depth: 1 }, masks: { strategy: 'rasterized' } })

test('I-JEPA loss and the gradients of the predictor and the context encoder match PyTorch', () => {
  const parts = ijepaParts(ijepaConfig, 10)
  const params = { encoder: treeOf('encoder'), predictor: treeOf('predictor') }
  const target = { encoder: treeOf('target.encoder') }
  const targetIdx = tf.unstack(get('target_idx'))
  const r = ijepaLossAndGradsAt(parts, energyOf('smoothL1'))(params, target, get('images'), get('ctx_idx'), targetIdx, keyOf(0))
  const refLoss = get('ijepa_loss').dataSync()[0]!
  assert.ok(Math.abs(r.loss - refLoss) <= 1e-4, `loss ${r.loss} vs PyTorch ${refLoss}`)
  const grads = flatten(r.grads)
  assert.deepEqual(grads.map(([p]) => `grad.${p}`).sort(), [...fx.keys()].filter((k) => k.startsWith('grad.')).sort(), 'one gradient per reference param, same names')
  let worst = 0
  for (const [path, g] of grads) {
    const ref = get(`grad.${path}`)
    const scale = tf.tidy(() => tf.max(tf.abs(ref)).dataSync()[0]!)
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(g, ref))).dataSync()[0]!)
    worst = Math.max(worst, err / scale)
    assert.ok(err <= 1e-3 * scale + 1e-7, `gradient ${path}: max abs error ${err} vs max |ref| ${scale}`)
  }
  console.log(`ijepa parity: loss ${r.loss} vs ${refLoss}; worst relative gradient error ${worst.toExponential(2)}`)
})

test('one I-JEPA step (AdamW with the reference param groups, then EMA toward the new encoder) matches PyTorch', () => {
  const parts = ijepaParts(ijepaConfig, 10)
  const params = { encoder: treeOf('encoder'), predictor: treeOf('predictor') }
  const target = { encoder: treeOf('target.encoder') }
  const r = ijepaLossAndGradsAt(parts, energyOf('smoothL1'))(params, target, get('images'), get('ctx_idx'), tf.unstack(get('target_idx')), keyOf(0))
  const next = optimizerStep(params, r.grads, adamwInit(params), { lr: 1e-3, wd: 0.04 })
  const nextTarget = emaUpdate(0.996)(target, next.params)
  // AdamW's first step is m/(√v + ε) = g/(|g| + 1e-8): where |g| is near ε the float32 gradient
  // difference (~1e-8 absolute) changes the update. Such entries (|g_ref| < 1e-6) are held to one
  // step's bound (2·lr); all others to 1e-5. The target moves by (1 − m)·θ: 1e-5 everywhere.
  let worst = 0
  const gradOf = new Map(flatten(r.grads))
  for (const [path, t] of [...flatten(next.params), ...flatten({ target: nextTarget })]) {
    const g = gradOf.get(path)
    const { err, loose } = tf.tidy(() => {
      const diff = tf.abs(tf.sub(t, get(`after.${path}`)))
      if (g === undefined) return { err: tf.max(diff).dataSync()[0]!, loose: 0 }
      const sharp = tf.greaterEqual(tf.abs(get(`grad.${path}`)), 1e-6)
      return { err: tf.max(tf.where(sharp, diff, tf.zerosLike(diff))).dataSync()[0]!, loose: tf.max(diff).dataSync()[0]! }
    })
    worst = Math.max(worst, err)
    assert.ok(err <= 1e-5, `${path} after the step: max abs error ${err}`)
    assert.ok(loose <= 2e-3, `${path} after the step: an entry with a gradient near ε moved ${loose}, more than one step`)
  }
  console.log(`ijepa step parity: worst abs error after AdamW + EMA ${worst.toExponential(2)}`)
})

test('MAE predictions and loss match PyTorch', () => {
  const config = decodeMaeConfigOrThrow({ image, patchSize: 4, encoder: { dim: 32, depth: 1, heads: 4 }, decoder: { dim: 16, depth: 1, heads: 4 } })
  const parts = maeParts(config, 10)
  const params = { encoder: treeOf('mae.encoder'), decoder: treeOf('mae.decoder') }
  const images = get('images') as tf.Tensor4D
  const pred = maeForward(parts)(params, images, get('mae_ids_keep'), get('mae_ids_restore'), { key: keyOf(0), training: false })
  const predErr = tf.tidy(() => tf.max(tf.abs(tf.sub(pred, get('mae_pred')))).dataSync()[0]!)
  assert.ok(predErr <= 1e-4, `decoder output max abs error ${predErr}`)
  const loss = maeLoss(pred as tf.Tensor3D, patchify(images, 4), get('mae_mask') as tf.Tensor2D).dataSync()[0]!
  const refLoss = get('mae_loss').dataSync()[0]!
  assert.ok(Math.abs(loss - refLoss) <= 1e-4, `loss ${loss} vs PyTorch ${refLoss}`)
  console.log(`mae parity: loss ${loss} vs ${refLoss}; prediction max abs error ${predErr.toExponential(2)}`)
})
