/**
 * `jepa import --family mae` of an official MAE checkpoint (tools/torch/make_official_fixtures.py:
 * the facebookresearch/mae save_model layout — `{model, optimizer, epoch, scaler, args}`, a CLS
 * token, pos-embeds with a zero CLS row, args as an argparse.Namespace — written by Debian's
 * PyTorch): the imported MAE (`clsToken: true`) reproduces PyTorch's encoder latent, decoder
 * prediction, loss and pooled features within 1e-4, trains a step, and an encoder-only file is
 * refused.
 */
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type DecodedTensor, keyOf } from '@jepa-ts/core'
import { useBackend } from '@jepa-ts/engine'
import { branch, decodeMaeConfigOrThrow, maeDecode, maeEncode, maeLoss, maeParts, patchify } from '@jepa-ts/ssl'
import { disposeState } from '@jepa-ts/train'
import { loadCheckpointFor, readCheckpoint } from '@jepa-ts/train/node'
import { runImport } from '../../packages/cli/src/commands/import.ts'
import { decodeRunConfig } from '../../packages/cli/src/config.ts'
import { stateDictPickle, torchBytes } from '../core/torch-writer.ts'
import { capture, expectedTensors, fixture, maxAbsDiff, tempDir, tensorOf } from './torch-import-helpers.ts'

const dir = (): string => tempDir('jepa-cli-import-mae-')

let expected: Map<string, DecodedTensor>
before(async () => {
  await useBackend('cpu')
  expected = expectedTensors('mae-official.expected.safetensors')
})

const get = (name: string): tf.Tensor => tensorOf(expected, name)

test('an official MAE checkpoint imports (CLS token kept) and reproduces PyTorch\'s latent, prediction, loss and features', async () => {
  const out = join(dir(), 'run')
  const io = capture()
  assert.equal(await runImport(fixture('mae-official.pth'), { family: 'mae', heads: 2, decoderHeads: 2, out }, io), 0, io.lines.join('\n'))
  const file = await readCheckpoint(join(out, 'checkpoint.safetensors'))
  const model = (file.meta.config as { model: unknown }).model
  assert.deepEqual(model, { image: [32, 32, 1], patchSize: 8, encoder: { dim: 16, depth: 1, heads: 2 }, decoder: { dim: 8, depth: 1, heads: 2 }, maskRatio: 0.75, normPix: true, clsToken: true })
  const run = decodeRunConfig(file.meta.config, undefined, 'meta', { steps: 1 })
  if (E.isLeft(run)) throw new Error(run.left.format())
  const { state } = await loadCheckpointFor(run.right.family, keyOf(0), join(out, 'checkpoint.safetensors'))
  try {
    const parts = maeParts(decodeMaeConfigOrThrow(model), 1)
    const ctx = { key: keyOf(0), training: false }
    const images = get('images')
    const latent = maeEncode(parts.encoder, true)(branch(state.params, 'encoder'), images, ctx, get('ids_keep'))
    const pred = maeDecode(parts.decoder)(branch(state.params, 'decoder'), get('latent'), get('ids_restore'), ctx)
    const loss = maeLoss(pred as tf.Tensor3D, patchify(images as tf.Tensor4D, 8), get('mask') as tf.Tensor2D)
    const errors = {
      latent: maxAbsDiff(latent, get('latent')),
      prediction: maxAbsDiff(pred, get('pred')),
      loss: maxAbsDiff(loss.reshape([1]), get('loss')),
      features: maxAbsDiff(run.right.family.features(state, images as tf.Tensor4D), get('features')),
    }
    console.log(`mae import parity (max |ours − PyTorch|): ${Object.entries(errors).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`)
    for (const [k, v] of Object.entries(errors)) assert.ok(v <= 1e-4, `${k}: max abs difference ${v}`)
    const next = run.right.family.step(state, images.reshape([2, 32, 32, 1]) as tf.Tensor4D, keyOf(1))
    assert.ok(Number.isFinite(next.metrics.loss), 'the imported model trains a step')
    disposeState(next.state)
  } catch (e) {
    disposeState(state)
    throw e
  }
})

test('an encoder-only MAE file and a file without "model" are refused naming the file', async () => {
  const encoderOnly = join(dir(), 'encoder-only.pth')
  writeFileSync(encoderOnly, torchBytes([{ name: 'cls_token', key: '0', storage: 'FloatStorage', numel: 4, shape: [1, 1, 4] }], { 0: new Uint8Array(16) }, stateDictPickle([{ name: 'cls_token', key: '0', storage: 'FloatStorage', numel: 4, shape: [1, 1, 4] }], 'model')))
  const io = capture()
  assert.equal(await runImport(encoderOnly, { family: 'mae', out: join(dir(), 'run') }, io), 2)
  assert.match(io.lines.join('\n'), /encoder-only\.pth: state dict "model" has no decoder \(no decoder_embed\.weight\): an encoder-only MAE checkpoint/)
  const io2 = capture()
  assert.equal(await runImport(fixture('ijepa-official.pth.tar'), { family: 'mae', out: join(dir(), 'run') }, io2), 2)
  assert.match(io2.lines.join('\n'), /key "model": expected a dict with the key "model", got keys encoder, predictor, target_encoder.*the official MAE layout/)
})
