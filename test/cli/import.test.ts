/**
 * `jepa import` of an official I-JEPA checkpoint (tools/torch/make_official_fixtures.py: the
 * facebookresearch/ijepa save_checkpoint layout, DDP `module.` prefixes, pos-embeds as entries,
 * written by Debian's PyTorch): the architecture is inferred from the shapes, the imported model's
 * outputs equal PyTorch's (target encoder, context encoder on masked tokens, predictor) within
 * 1e-4, `jepa eval` reads the run directory, and bad inputs are refused naming the file and tensor.
 */
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type DecodedTensor, PickleDict, isTorchTensor, keyOf } from '@jepa-ts/core'
import { openTorchFile } from '@jepa-ts/core/node'
import { useBackend } from '@jepa-ts/engine'
import { encode, predict } from '@jepa-ts/nn'
import { branch, decodeIjepaConfigOrThrow, ijepaParts } from '@jepa-ts/ssl'
import { disposeState } from '@jepa-ts/train'
import { loadCheckpointFor, readCheckpoint } from '@jepa-ts/train/node'
import { runImport } from '../../packages/cli/src/commands/import.ts'
import { runEval } from '../../packages/cli/src/commands/eval.ts'
import { decodeRunConfig } from '../../packages/cli/src/config.ts'
import { torchBytes } from '../core/torch-writer.ts'
import { capture, expectedTensors, fixture, maxAbsDiff, tempDir, tensorOf } from './torch-import-helpers.ts'

const OFFICIAL = fixture('ijepa-official.pth.tar')
const dir = (): string => tempDir('jepa-cli-import-')

let expected: Map<string, DecodedTensor>
before(async () => {
  await useBackend('cpu')
  expected = expectedTensors('ijepa-official.expected.safetensors')
})

const get = (name: string): tf.Tensor => tensorOf(expected, name)

const imported = async (): Promise<string> => {
  const out = join(dir(), 'run')
  const io = capture()
  assert.equal(await runImport(OFFICIAL, { family: 'ijepa', heads: 4, out }, io), 0, io.lines.join('\n'))
  return out
}

test('an official I-JEPA checkpoint imports with the architecture read from its shapes, and its outputs equal PyTorch\'s', async () => {
  const out = await imported()
  const file = await readCheckpoint(join(out, 'checkpoint.safetensors'))
  const run = decodeRunConfig(file.meta.config, undefined, 'meta', { steps: 1 })
  if (E.isLeft(run)) throw new Error(run.left.format())
  const model = (file.meta.config as { model: { image: number[]; patchSize: number; encoder: object; predictor: object } }).model
  assert.deepEqual([model.image, model.patchSize, model.encoder, model.predictor], [[32, 32, 1], 4, { dim: 16, depth: 2, heads: 4 }, { dim: 8, depth: 1 }])
  const { state } = await loadCheckpointFor(run.right.family, keyOf(0), join(out, 'checkpoint.safetensors'))
  try {
    const parts = ijepaParts(decodeIjepaConfigOrThrow(model), 1)
    const ctx = { key: keyOf(0), training: false }
    const images = get('images')
    const target = encode(parts.encoder, branch(state.target, 'encoder'), images, ctx)
    const context = encode(parts.encoder, branch(state.params, 'encoder'), images, ctx, get('ctx_idx'))
    const predicted = predict(parts.predictor, branch(state.params, 'predictor'), get('context_out'), get('ctx_idx'), tf.unstack(get('target_idx')), ctx)
    const features = run.right.family.features(state, images as tf.Tensor4D)
    const errors = {
      target: maxAbsDiff(target, get('target_out')),
      context: maxAbsDiff(context, get('context_out')),
      predictor: maxAbsDiff(predicted, get('pred_out')),
      features: maxAbsDiff(features, tf.mean(get('target_out'), 1)),
    }
    console.log(`import parity (max |ours − PyTorch|): ${Object.entries(errors).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`)
    for (const [k, v] of Object.entries(errors)) assert.ok(v <= 1e-4, `${k}: max abs difference ${v}`)
  } finally {
    disposeState(state)
  }
  const provenance = JSON.parse(readFileSync(join(out, 'import.json'), 'utf8')) as Record<string, unknown>
  assert.equal(provenance.epoch, 3)
  assert.equal(provenance.ddpPrefix, true)
  assert.equal(provenance.notImported, 'scaler', 'the AdamW state is imported')
  // The moments: every exp_avg / exp_avg_sq of the file is, bit for bit, one of our opt.m / opt.v
  // tensors (found through the reference's param groups), and the run's step is the optimizer's.
  assert.equal(file.meta.step, 1, 'one optimizer step was taken in the fixture')
  const torchFile = openTorchFile(OFFICIAL)
  if (E.isLeft(torchFile)) throw new Error(torchFile.left.message)
  try {
    const state = ((torchFile.right.root as PickleDict).entries.get('opt') as PickleDict).entries.get('state') as PickleDict
    const ours = (moment: string): Set<string> => new Set(Object.entries(file.tensors).filter(([k]) => k.startsWith(`opt.${moment}.`)).map(([, t]) => `${t.shape.join()}:${[...t.data].join()}`))
    const [m, v] = [ours('m'), ours('v')]
    assert.ok(state.entries.size > 40)
    for (const [slot, entry] of state.entries) {
      for (const [key, set] of [['exp_avg', m], ['exp_avg_sq', v]] as const) {
        const ref = (entry as PickleDict).entries.get(key)!
        if (!isTorchTensor(ref)) assert.fail(`opt.state[${String(slot)}].${key}`)
        const t = E.getOrElseW(() => assert.fail(key))(torchFile.right.readTensor(ref))
        assert.ok(set.has(`${t.shape.join()}:${[...t.data].join()}`), `opt.state[${String(slot)}].${key} is imported`)
      }
    }
  } finally {
    torchFile.right.close()
  }
})

test('jepa eval reads an imported run directory', async () => {
  const out = await imported()
  const io = capture()
  assert.equal(await runEval(out, { backend: 'cpu', data: 'synthetic', limit: 48, probeEpochs: 1 }, io), 0, io.lines.join('\n'))
  assert.match(io.lines.join('\n'), /\| ijepa \(step 1\) \| \d+\.\d% \|/)
})

test('a learned (not sin-cos) position embedding is refused naming the tensor, the difference and where', async () => {
  const io = capture()
  assert.equal(await runImport(fixture('ijepa-learned-pos.pth.tar'), { family: 'ijepa', heads: 4, out: join(dir(), 'run') }, io), 2)
  assert.match(io.lines.join('\n'), /ijepa-learned-pos\.pth\.tar: encoder\.pos_embed is not the fixed 2-D sin-cos position embedding of a 8×8 grid and width 16: it differs by \d\.\d+e-\d+ at token \d+, dim \d+/)
})

test('a non-standard width without --heads, another family\'s layout and an existing checkpoint are refused', async () => {
  const io = capture()
  assert.equal(await runImport(OFFICIAL, { family: 'ijepa', out: join(dir(), 'run') }, io), 2)
  assert.match(io.lines.join('\n'), /width 16 is not a standard ViT width .*give --heads/)
  const plain = join(dir(), 'plain.pt')
  writeFileSync(plain, torchBytes([{ name: 'w', key: '0', storage: 'FloatStorage', numel: 1, shape: [1] }], { 0: new Uint8Array(4) }))
  const io2 = capture()
  assert.equal(await runImport(plain, { family: 'ijepa', out: join(dir(), 'run') }, io2), 2)
  assert.match(io2.lines.join('\n'), /plain\.pt: key "encoder": expected a dict with the key "encoder", got keys w .*the official I-JEPA layout holds encoder, predictor and target_encoder/)
  const out = await imported()
  const before = statSync(join(out, 'checkpoint.safetensors')).mtimeMs
  const io3 = capture()
  assert.equal(await runImport(OFFICIAL, { family: 'ijepa', heads: 4, out }, io3), 2)
  assert.match(io3.lines.join('\n'), /checkpoint\.safetensors already exists; an import never replaces a checkpoint/)
  assert.equal(statSync(join(out, 'checkpoint.safetensors')).mtimeMs, before, 'the existing checkpoint is untouched')
  const io4 = capture()
  assert.equal(await runImport(OFFICIAL, { family: 'simclr', out }, io4), 2)
  assert.match(io4.lines.join('\n'), /--family expects one of ijepa/)
})

test('--config replaces the inferred model config after checking its architecture against the shapes', async () => {
  const work = dir()
  const model = { image: [32, 32, 1], patchSize: 4, encoder: { heads: 4, depth: 2, dim: 16 }, predictor: { dim: 8, depth: 1 }, masks: { strategy: 'multi-block-corrected', minKeep: 4 }, pixelNorm: { mean: 0.5, std: 0.25 }, optimizer: { lr: 0.002 } }
  const ok = join(work, 'ok.json')
  writeFileSync(ok, JSON.stringify({ family: 'ijepa', model, train: { batchSize: 4, scheduleSteps: 40 } }))
  const io = capture()
  assert.equal(await runImport(OFFICIAL, { family: 'ijepa', config: ok, out: join(work, 'run') }, io), 0, io.lines.join('\n'))
  const provenance = JSON.parse(readFileSync(join(work, 'run', 'import.json'), 'utf8')) as { config: { model: typeof model; train: { scheduleSteps: number } } }
  assert.deepEqual(provenance.config.model.pixelNorm, model.pixelNorm, 'pixelNorm, which the shapes cannot carry, comes from --config')
  assert.equal(provenance.config.model.optimizer.lr, 0.002)
  assert.equal(provenance.config.train.scheduleSteps, 40, 'the schedule length of the given run config')
  const bad = join(work, 'bad.json')
  writeFileSync(bad, JSON.stringify({ model: { ...model, encoder: { dim: 16, depth: 3, heads: 4 } } }))
  const refused = capture()
  assert.equal(await runImport(OFFICIAL, { family: 'ijepa', config: bad, out: join(work, 'run2') }, refused), 2)
  assert.match(refused.lines.join('\n'), /bad\.json: model\.encoder is \{"depth":3,"dim":16,"heads":4\}, but the shapes in .*ijepa-official\.pth\.tar give \{"depth":2,"dim":16,"heads":4\}/)
  const noModel = join(work, 'none.json')
  writeFileSync(noModel, JSON.stringify({ family: 'ijepa' }))
  const missing = capture()
  assert.equal(await runImport(OFFICIAL, { family: 'ijepa', config: noModel, out: join(work, 'run3') }, missing), 2)
  assert.match(missing.lines.join('\n'), /none\.json: expected a JSON object with a "model" object/)
  const mae = capture()
  assert.equal(await runImport(OFFICIAL, { family: 'mae', config: ok, out: join(work, 'run4') }, mae), 2)
  assert.match(mae.lines.join('\n'), /the official MAE layout holds the model's state dict under "model"/, 'an I-JEPA file is not an MAE one, --config or not')
})
