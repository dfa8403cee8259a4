import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type DecodedTensor, type ParamTree, checkParams, decodeSafetensors, flatten, initOrThrow, keyOf, unflatten } from '@jepa-ts/core'
import { block, encode, posEmbed2d, predict, predictor, vit } from '@jepa-ts/nn'

// Written by tools/parity/make_fixtures.py (PyTorch 1.13, reference I-JEPA module structure).
const FIXTURE = fileURLToPath(new URL('../fixtures/parity/vit_small_ref.safetensors', import.meta.url))
const ctx = { key: keyOf(0), training: false }

type RawTensor = DecodedTensor
let fx: Map<string, RawTensor>
before(async () => {
  await tf.setBackend('cpu')
  const decoded = decodeSafetensors(readFileSync(FIXTURE), FIXTURE) // core's validating reader
  if (E.isLeft(decoded)) throw new Error(decoded.left.message)
  fx = new Map(Object.entries(decoded.right.tensors))
})

const get = (name: string): RawTensor => {
  const t = fx.get(name)
  if (t === undefined) throw new Error(`${FIXTURE}: missing tensor ${name}`)
  return t
}
const toTensor = (t: RawTensor): tf.Tensor => tf.tensor(t.data, [...t.shape], t.dtype === 'F32' ? 'float32' : 'int32')

/** The fixture tensors under `prefix.`, as a ParamTree (names map 1:1; no reshapes or transposes). */
const treeOf = (prefix: string, skip: readonly string[] = []): ParamTree =>
  unflatten([...fx.entries()].filter(([k]) => k.startsWith(`${prefix}.`) && !skip.includes(k.slice(prefix.length + 1))).map(([k, v]) => [k.slice(prefix.length + 1), toTensor(v)] as const))

const maxAbs = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!)

const shapesOf = (tree: ParamTree): string[] => flatten(tree).map(([p, t]) => `${p} [${t.shape.join(', ')}]`).sort()

const config = { imageSize: 32, patchSize: 4, inChans: 3, dim: 64, depth: 2, heads: 4 } as const

test('our ViT has exactly the reference state_dict names and shapes (pos_embed is a recomputed constant)', () => {
  const v = vit(config)
  const ours = initOrThrow(v.layer, keyOf(1), [2, 32, 32, 3]).params
  assert.deepEqual(shapesOf(ours), shapesOf(treeOf('model', ['pos_embed'])))
})

test('the reference pos_embed buffer equals posEmbed2d(8, 8, 64)', () => {
  const ref = get('model.pos_embed')
  assert.deepEqual(ref.shape, [1, 64, 64])
  const ours = posEmbed2d(8, 8, 64)
  let err = 0
  for (let i = 0; i < ours.length; i++) err = Math.max(err, Math.abs(ours[i]! - ref.data[i]!))
  assert.ok(err <= 1e-6, `pos_embed max abs error ${err}`)
})

test('ViT forward matches PyTorch on the full image and on a token subset (max abs error ≤ 1e-4)', () => {
  const v = vit(config)
  const params = treeOf('model', ['pos_embed'])
  const images = toTensor(get('images'))
  const full = encode(v, params, images, ctx)
  const errFull = maxAbs(full, toTensor(get('out_full')))
  const masked = encode(v, params, images, ctx, toTensor(get('token_idx')))
  assert.deepEqual(masked.shape, get('out_masked').shape)
  const errMasked = maxAbs(masked, toTensor(get('out_masked')))
  console.log(`parity: ViT(dim 64, depth 2) max abs error full ${errFull.toExponential(2)}, token subset ${errMasked.toExponential(2)}`)
  assert.ok(errFull <= 1e-4, `full path max abs error ${errFull}`)
  assert.ok(errMasked <= 1e-4, `token-subset path max abs error ${errMasked}`)
  // And the layer value itself runs the same full path.
  assert.ok(maxAbs(v.layer.apply(checkParams(v.layer, params, images.shape), images, ctx), full) === 0)
})

test('block gradients match PyTorch (each within 1e-4 abs or 1e-3 rel) for loss = sum(block(x) · R)', () => {
  const b = block(32, 2)
  const x = toTensor(get('block_x'))
  const params = checkParams(b, treeOf('block'), x.shape)
  const leaves = flatten(params)
  const r = toTensor(get('block_r'))
  const out = b.apply(params, x, ctx)
  const errOut = maxAbs(out, toTensor(get('block_out')))
  assert.ok(errOut <= 1e-4, `block output max abs error ${errOut}`)
  const loss = (...ts: tf.Tensor[]): tf.Tensor => {
    const tree = checkParams(b, unflatten(leaves.map(([p], i) => [p, ts[i + 1]!] as const)), x.shape)
    return tf.sum(tf.mul(b.apply(tree, ts[0]!, ctx), r))
  }
  const grads = tf.grads(loss)([x, ...leaves.map(([, t]) => t)])
  const expected: Array<readonly [string, RawTensor]> = [['input', get('block_grad_x')], ...leaves.map(([p]) => [p, get(`block_grad.${p}`)] as const)]
  const report: string[] = []
  expected.forEach(([name, want], i) => {
    const got = grads[i]!.dataSync()
    assert.deepEqual(grads[i]!.shape, [...want.shape], `${name}: gradient shape`)
    let worst = 0
    for (let j = 0; j < got.length; j++) {
      const diff = Math.abs(got[j]! - want.data[j]!)
      const ok = diff <= 1e-4 || diff <= 1e-3 * Math.abs(want.data[j]!)
      assert.ok(ok, `${name}[${j}]: got ${got[j]}, PyTorch ${want.data[j]}`)
      worst = Math.max(worst, diff)
    }
    report.push(`${name} ${worst.toExponential(1)}`)
  })
  console.log(`parity: block gradient max abs errors: ${report.join(', ')}`)
})

test('I-JEPA predictor matches PyTorch: names and shapes, and predictions for 3 target blocks (max abs error ≤ 1e-4)', () => {
  const p = predictor({ grid: [8, 8], embedDim: 64, predictorDim: 32, depth: 2, heads: 4 })
  const ours = initOrThrow(p.layer, keyOf(1), [[2, 10, 64], [2, 10], [3, 2, 6]]).params
  assert.deepEqual(shapesOf(ours), shapesOf(treeOf('predictor', ['predictor_pos_embed'])))
  const params = treeOf('predictor', ['predictor_pos_embed'])
  const targets = tf.unstack(toTensor(get('pred_target_idx')), 0)
  const out = predict(p, params, toTensor(get('pred_ctx_tokens')), toTensor(get('pred_ctx_idx')), targets, ctx)
  assert.deepEqual(out.shape, [6, 6, 64])
  const err = maxAbs(out, toTensor(get('pred_out')))
  console.log(`parity: predictor(Dp 32, depth 2, 3 targets) max abs error ${err.toExponential(2)}`)
  assert.ok(err <= 1e-4, `predictor max abs error ${err}`)
})
