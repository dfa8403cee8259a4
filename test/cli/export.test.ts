/**
 * `jepa export --to pytorch`: an I-JEPA run written as the official trainer's checkpoint.
 * (1) Without Python: importing the torch-written official fixture and exporting it again gives the
 * fixture's layout exactly — the same state-dict keys in the same order with bit-equal tensors, the
 * same four optimizer param groups and state slots, and bit-equal AdamW moments and steps. (2) With Debian's PyTorch (skipped, saying so,
 * when /usr/bin/python3 has no torch): a trained run's export loads strictly into the reference
 * modules and torch's AdamW (tools/torch/check_export.py), and PyTorch's target and context encoders
 * reproduce ours within 1e-4, with our moments as exp_avg.
 */
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type TorchFile, PickleDict, decodeSafetensors, encodeSafetensors, isTorchTensor, keyOf, stateDictAt } from '@jepa-ts/core'
import { openTorchFile } from '@jepa-ts/core/node'
import { useBackend } from '@jepa-ts/engine'
import { encode } from '@jepa-ts/nn'
import { branch, decodeIjepaConfigOrThrow, ijepaParts } from '@jepa-ts/ssl'
import { disposeState } from '@jepa-ts/train'
import { loadCheckpointFor, readCheckpoint } from '@jepa-ts/train/node'
import { runTrain } from '../../packages/cli/src/commands/train.ts'
import { runImport } from '../../packages/cli/src/commands/import.ts'
import { runExport } from '../../packages/cli/src/commands/export.ts'
import { decodeRunConfig } from '../../packages/cli/src/config.ts'
import { capture, tempDir } from './torch-import-helpers.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const OFFICIAL = join(root, 'test/fixtures/torch/ijepa-official.pth.tar')
const dir = (): string => tempDir('jepa-cli-export-')

before(async () => {
  await useBackend('cpu')
})

const open = (path: string): TorchFile => {
  const f = openTorchFile(path)
  if (E.isLeft(f)) throw new Error(f.left.message)
  return f.right
}

const groupsOf = (f: TorchFile): number[][] => {
  const opt = (f.root as PickleDict).entries.get('opt') as PickleDict
  return (opt.entries.get('param_groups') as PickleDict[]).map((g) => g.entries.get('params') as number[])
}

const stateSlots = (f: TorchFile): string[] => [...(((f.root as PickleDict).entries.get('opt') as PickleDict).entries.get('state') as PickleDict).entries.keys()].map(String).sort()

test('import then export reproduces the official layout PyTorch wrote: keys, order, tensors, param groups', async () => {
  const work = dir()
  const run = join(work, 'run')
  assert.equal(await runImport(OFFICIAL, { family: 'ijepa', heads: 4, out: run }, capture()), 0)
  const out = join(work, 'exported.pth.tar')
  const io = capture()
  assert.equal(await runExport(run, { to: 'pytorch', out }, io), 0, io.lines.join('\n'))
  const [ours, theirs] = [open(out), open(OFFICIAL)]
  try {
    for (const section of ['encoder', 'predictor', 'target_encoder']) {
      const a = E.getOrElseW(() => assert.fail(`${section} in the export`))(stateDictAt(ours, section))
      const b = E.getOrElseW(() => assert.fail(`${section} in the fixture`))(stateDictAt(theirs, section))
      assert.deepEqual(a.map(([n]) => n), b.map(([n]) => n), `${section}: the same keys in the same order`)
      a.forEach(([name, ref], i) => {
        const ta = E.getOrElseW(() => assert.fail(name))(ours.readTensor(ref))
        const tb = E.getOrElseW(() => assert.fail(name))(theirs.readTensor(b[i]![1]))
        assert.deepEqual(ta.shape, tb.shape, name)
        assert.ok(ta.data.every((x, j) => Object.is(x, tb.data[j])), `${section}.${name}: bit-equal`)
      })
    }
    assert.deepEqual(groupsOf(ours), groupsOf(theirs), 'the reference\'s four param groups, same indices')
    assert.deepEqual(stateSlots(ours), stateSlots(theirs), 'optimizer state for the same params (none for the frozen pos-embeds)')
    const stateOf = (f: TorchFile): PickleDict => ((f.root as PickleDict).entries.get('opt') as PickleDict).entries.get('state') as PickleDict
    for (const slot of stateSlots(theirs).map(Number)) {
      for (const key of ['exp_avg', 'exp_avg_sq', 'step']) {
        const read = (f: TorchFile) => {
          const ref = (stateOf(f).entries.get(slot) as PickleDict).entries.get(key)!
          return E.getOrElseW(() => assert.fail(`${slot}.${key}`))(f.readTensor(ref as Parameters<typeof f.readTensor>[0]))
        }
        const [a, b] = [read(ours), read(theirs)]
        assert.ok(a.shape.join() === b.shape.join() && a.data.every((x, j) => Object.is(x, b.data[j])), `opt.state[${slot}].${key}: imported then exported bit for bit`)
      }
    }
    const top = [...(ours.root as PickleDict).entries.keys()]
    assert.deepEqual(top, ['encoder', 'predictor', 'target_encoder', 'opt', 'scaler', 'epoch', 'loss', 'batch_size', 'world_size', 'lr'])
    const step = (((ours.root as PickleDict).entries.get('opt') as PickleDict).entries.get('state') as PickleDict).entries.get(1) as PickleDict
    assert.ok(isTorchTensor(step.entries.get('step')!), 'step is a tensor, as torch 1.13 stores it (slot 0 is pos_embed: no state)')
  } finally {
    ours.close()
    theirs.close()
  }
  const again = capture()
  assert.equal(await runExport(run, { to: 'pytorch', out }, again), 2, 'an existing file is never replaced')
  assert.match(again.lines.join('\n'), /already exists; an export never replaces a file/)
})

const torchAvailable = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0

test('a trained run\'s export loads strictly into the reference modules and torch\'s AdamW, and PyTorch reproduces our encoders', { skip: torchAvailable ? false : 'Debian\'s python3-torch is not installed (scripts/setup.sh installs it)' }, async () => {
  const work = dir()
  const model = { image: [32, 32, 1], patchSize: 8, encoder: { dim: 16, depth: 2, heads: 4 }, predictor: { dim: 8, depth: 1 }, masks: { strategy: 'rasterized' } }
  const cfg = join(work, 'ijepa.json')
  writeFileSync(cfg, JSON.stringify({ family: 'ijepa', model, train: { batchSize: 8, steps: 2, checkpointEvery: 2, monitorEvery: 0 } }))
  const run = join(work, 'run')
  const trained = capture()
  assert.equal(await runTrain(cfg, { backend: 'cpu', out: run, data: 'synthetic' }, trained), 0, trained.lines.join('\n'))
  const out = join(work, 'run.pth.tar')
  assert.equal(await runExport(run, { to: 'pytorch', out }, capture()), 0)
  const file = await readCheckpoint(join(run, 'checkpoint.safetensors'))
  const decoded = decodeRunConfig(file.meta.config, undefined, 'meta', { steps: 2 })
  if (E.isLeft(decoded)) throw new Error(decoded.left.format())
  const { state } = await loadCheckpointFor(decoded.right.family, keyOf(0), join(run, 'checkpoint.safetensors'))
  try {
    const images = tf.randomNormal([2, 32, 32, 1], 0, 1, 'float32', 7)
    const ctxIdx = tf.tensor2d([[0, 2, 5, 7, 9], [1, 3, 4, 12, 15]], [2, 5], 'int32')
    const inputs = join(work, 'inputs.safetensors')
    writeFileSync(inputs, encodeSafetensors({ images: { dtype: 'F32', shape: [2, 32, 32, 1], data: images.dataSync() as Float32Array }, ctx_idx: { dtype: 'I32', shape: [2, 5], data: ctxIdx.dataSync() as Int32Array } }))
    const outputs = join(work, 'torch-out.safetensors')
    const py = spawnSync('/usr/bin/python3', [join(root, 'tools/torch/check_export.py'), out, inputs, outputs, '32', '8', '1', '16', '2', '4', '8', '1'], { encoding: 'utf8' })
    assert.equal(py.status, 0, py.stderr)
    assert.ok(existsSync(outputs))
    const torchOut = decodeSafetensors(readFileSync(outputs))
    if (E.isLeft(torchOut)) throw new Error(torchOut.left.message)
    const t = (name: string): tf.Tensor => {
      const x = torchOut.right.tensors[name]!
      return tf.tensor(x.data, [...x.shape])
    }
    const parts = ijepaParts(decodeIjepaConfigOrThrow(model), 2)
    const ctx = { key: keyOf(0), training: false }
    const diff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!)
    const errors = {
      target: diff(encode(parts.encoder, branch(state.target, 'encoder'), images, ctx), t('target_out')),
      context: diff(encode(parts.encoder, branch(state.params, 'encoder'), images, ctx, ctxIdx), t('context_out')),
      expAvg: diff((state.opt.m.encoder as { patch_embed: { proj: { weight: tf.Tensor } } }).patch_embed.proj.weight, t('exp_avg_first')),
    }
    console.log(`export → PyTorch: ${py.stdout.trim()}; max |ours − PyTorch|: ${Object.entries(errors).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`)
    for (const [k, v] of Object.entries(errors)) assert.ok(v <= 1e-4, `${k}: ${v}`)
  } finally {
    disposeState(state)
  }
})
