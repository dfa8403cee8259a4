/**
 * `jepa export --to pytorch --package` for MAE and VICReg runs.
 * (1) Without Python: the package's files and config.json; its checkpoint (written by us in
 * facebookresearch/mae's layout, resp. the package layout) reads back through `jepa import
 * --config` to the run's own params, moments and step — the export and import name mappings agree;
 * a VICReg import without --config and a --config whose architecture differs are refused, and so
 * is `--out` (the official I-JEPA checkpoint) for these families.
 * (2) With Debian's PyTorch, per family in one test: one exported step equals one jepa-ts step on
 * the same batch (MAE: the masks of the step's key, `randomMasking(stream(key, 'mask'))`; VICReg:
 * the views of the step's key, `twoViews(stream(key, 'augment'))`, fed to both sides) — loss, the
 * logged values, every updated param and both AdamW moments within 1e-4, lr and weight decay to
 * float32 rounding; then torchrun with 2 gloo processes trains the package 3 steps and its
 * checkpoint comes back through `jepa import --config` + `jepa eval` at step 5 with world_size 2.
 * The configs make mistakes show above the tolerance: lr 0.01, weight decay 2 (VICReg: 2 → 0.5; a
 * param in the wrong decay group moves by ~1e-2 × its size, 2e-4 for a weight of 0.02), warmup 3
 * of 10 steps (a schedule off by one step changes lr by a third).
 */
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type HostTensor, type ParamTree, flatten, keyOf, stream } from '@jepa-ts/core'
import { useBackend } from '@jepa-ts/engine'
import { randomMasking } from '@jepa-ts/masks'
import { decode } from '@jepa-ts/core'
import { VicregConfigCodec, jointParts, twoViews } from '@jepa-ts/ssl'
import { type TrainState, disposeState } from '@jepa-ts/train'
import { loadCheckpointFor, readCheckpoint } from '@jepa-ts/train/node'
import { runExport } from '../../packages/cli/src/commands/export.ts'
import { runImport } from '../../packages/cli/src/commands/import.ts'
import { runEval } from '../../packages/cli/src/commands/eval.ts'
import { decodeRunConfig } from '../../packages/cli/src/config.ts'
import { capture } from './torch-import-helpers.ts'
import { NO_TORCH, compareWithTorch, describeWorst, torchAvailable, torchStep, torchrun2, torchrunSkip, trainedPackage } from './export-package-helpers.ts'

before(async () => {
  await useBackend('cpu')
})

const OPTIMIZER = { lr: 0.01, startLr: 0.002, finalLr: 1e-7, warmupSteps: 3, weightDecay: 2 }
const MAE = {
  image: [32, 32, 1], patchSize: 4, encoder: { dim: 16, depth: 1, heads: 4 }, decoder: { dim: 8, depth: 1, heads: 2 }, maskRatio: 0.75,
  pixelNorm: { mean: 0.286, std: 0.353 }, optimizer: OPTIMIZER,
}
const VICREG = {
  image: [32, 32, 1], patchSize: 4, encoder: { dim: 16, depth: 1, heads: 4 }, projector: { hidden: 16, out: 16 },
  pixelNorm: { mean: 0.286, std: 0.353 }, optimizer: { ...OPTIMIZER, finalWeightDecay: 0.5 },
}
const SCHEDULE_STEPS = 10
const FAMILIES = { mae: { model: MAE, latest: 'checkpoint-latest.pth' }, vicreg: { model: VICREG, latest: 'vicreg-latest.pth' } } as const
type Fam = keyof typeof FAMILIES

/**
 * VICReg's params whose gradient is zero in exact arithmetic (their updated values are rounding
 * noise normalized by AdamW, see `compareWithTorch`): the keys' bias (the softmax ignores a shift of
 * every key), the encoder's final norm bias (a constant on every pooled feature, removed by the
 * projector's BatchNorm), fc1's bias (removed by BatchNorm), fc2's bias (the invariance term
 * subtracts it, the variance and covariance terms center it away).
 */
const vicregZeroGradient = (path: string): ((i: number) => boolean) | undefined => {
  const D = VICREG.encoder.dim
  if (/^params\.encoder\.blocks\.\d+\.attn\.qkv\.bias$/.test(path)) return (i) => i >= D && i < 2 * D
  return ['params.encoder.norm.bias', 'params.projector.fc1.bias', 'params.projector.fc2.bias'].includes(path) ? () => true : undefined
}

const host = (t: tf.Tensor): HostTensor => ({ dtype: 'F32', shape: t.shape, data: t.dataSync() as Float32Array })

/** Every leaf of our state's params and moments, with the name check_package_step.py gives it. */
const stateTensors = (state: TrainState): Array<readonly [string, tf.Tensor, string]> => [
  ...flatten(state.params).map(([p, t]) => [`params.${p}`, t, `after.${p}`] as const),
  ...flatten(state.opt.m as ParamTree).map(([p, t]) => [`m.${p}`, t, `m.${p}`] as const),
  ...flatten(state.opt.v as ParamTree).map(([p, t]) => [`v.${p}`, t, `v.${p}`] as const),
]

const runState = async (run: string): Promise<{ state: TrainState; family: Parameters<typeof loadCheckpointFor>[0] }> => {
  const checkpoint = join(run, 'checkpoint.safetensors')
  const file = await readCheckpoint(checkpoint)
  const decoded = decodeRunConfig(file.meta.config, undefined, 'meta', { steps: 2 })
  if (E.isLeft(decoded)) throw new Error(decoded.left.format())
  const { state } = await loadCheckpointFor(decoded.right.family, keyOf(0), checkpoint)
  return { state, family: decoded.right.family }
}

for (const fam of Object.keys(FAMILIES) as Fam[]) {
  test(`${fam}: the package holds its modules, trainer, config and checkpoint, which jepa import --config reads back to the run's params, moments and step`, async () => {
    const { work, run, pkg } = await trainedPackage(fam, FAMILIES[fam].model, SCHEDULE_STEPS)
    const own = fam === 'mae' ? ['jepa_mae.py'] : ['jepa_vicreg.py', 'jepa_views.py']
    assert.deepEqual(readdirSync(pkg).sort(), ['checkpoint.pth', 'config.json', 'jepa_data.py', 'jepa_model.py', 'jepa_schedules.py', 'jepa_train.py', 'train.py', ...own].sort())
    const config = JSON.parse(readFileSync(join(pkg, 'config.json'), 'utf8')) as { family: string; scheduleSteps: number; step: number; batchSize: number; model: { pixelNorm: unknown } }
    assert.deepEqual([config.family, config.scheduleSteps, config.step, config.batchSize], [fam, SCHEDULE_STEPS, 2, 8])
    assert.deepEqual(config.model.pixelNorm, MAE.pixelNorm)
    const back = join(work, 'back')
    const imported = capture()
    assert.equal(await runImport(join(pkg, 'checkpoint.pth'), { family: fam, config: join(pkg, 'config.json'), out: back }, imported), 0, imported.lines.join('\n'))
    const ours = await readCheckpoint(join(run, 'checkpoint.safetensors'))
    const theirs = await readCheckpoint(join(back, 'checkpoint.safetensors'))
    assert.equal(theirs.meta.step, 2, 'the optimizer step count came back')
    const names = Object.keys(ours.tensors).filter((n) => n.startsWith('params.') || n.startsWith('opt.')).sort()
    assert.deepEqual(Object.keys(theirs.tensors).sort(), names)
    for (const n of names) assert.deepEqual([...theirs.tensors[n]!.data], [...ours.tensors[n]!.data], n)
    const provenance = JSON.parse(readFileSync(join(back, 'import.json'), 'utf8')) as { notImported: string; config: { model: unknown } }
    assert.equal(provenance.notImported, 'scaler')
    assert.deepEqual(provenance.config.model, config.model, 'the package config carried through --config')
    // A config whose architecture is not the file's is refused, naming the tensor or the field.
    const bad = join(work, 'bad.json')
    writeFileSync(bad, JSON.stringify({ ...config, model: { ...config.model, encoder: { dim: 16, depth: 2, heads: 4 } } }))
    const refused = capture()
    assert.equal(await runImport(join(pkg, 'checkpoint.pth'), { family: fam, config: bad, out: join(work, 'bad') }, refused), 2)
    assert.match(refused.lines.join('\n'), fam === 'mae' ? /bad\.json: model\.encoder is \{"depth":2,"dim":16,"heads":4\}, but the shapes in .*checkpoint\.pth give \{"depth":1/ : /1\d missing \(encoder\.blocks\.1\./)
    const official = capture()
    assert.equal(await runExport(run, { to: 'pytorch', out: join(work, 'x.pth.tar') }, official), 2)
    assert.match(official.lines.join('\n'), new RegExp(`family "${fam}": only ijepa runs can be exported to the official checkpoint layout \\(--out\\); MAE and VICReg runs as --package`))
    if (fam === 'vicreg') {
      const none = capture()
      assert.equal(await runImport(join(pkg, 'checkpoint.pth'), { family: fam, out: join(work, 'none') }, none), 2)
      assert.match(none.lines.join('\n'), /a VICReg import needs --config <package>\/config\.json/)
    }
  })

  test(`${fam}: one exported PyTorch step equals one jepa-ts step (≤ 1e-4); torchrun with 2 gloo processes trains the package and jepa import + jepa eval read it back`, { skip: torchAvailable ? torchrunSkip() : NO_TORCH }, async () => {
    const { work, run, pkg } = await trainedPackage(fam, FAMILIES[fam].model, SCHEDULE_STEPS)
    const { state, family } = await runState(run)
    const B = 6
    const key = keyOf(31)
    const images = tf.randomUniform([B, 32, 32, 1], 0, 1, 'float32', 11) as tf.Tensor4D
    let inputs: Record<string, HostTensor>
    const made: tf.Tensor[] = []
    if (fam === 'mae') {
      const m = randomMasking(stream(key, 'mask'), B, 64, MAE.maskRatio)
      inputs = {
        images: host(images),
        ids_keep: { dtype: 'I32', shape: [...m.idsKeep.shape], data: new Int32Array(m.idsKeep.data) },
        ids_restore: { dtype: 'I32', shape: [...m.idsRestore.shape], data: new Int32Array(m.idsRestore.data) },
        mask: { dtype: 'F32', shape: [...m.mask.shape], data: new Float32Array(m.mask.data) },
      }
    } else {
      const config = decode(VicregConfigCodec, VICREG)
      if (E.isLeft(config)) throw new Error(config.left.format())
      const views = twoViews(jointParts(config.right, SCHEDULE_STEPS).views)(stream(key, 'augment'), images)
      made.push(...views)
      inputs = { view1: host(views[0]), view2: host(views[1]) }
    }
    const torch = torchStep(work, pkg, inputs)
    const next = family.step(state, images, key)
    try {
      const scalar = (name: string): number => torch.tensors[name]!.data[0]!
      for (const name of ['lr', 'wd'] as const) {
        const value = next.metrics[name]!
        assert.ok(Math.abs(scalar(name) - value) <= 1e-6 * Math.abs(value), `${name}: PyTorch ${scalar(name)} vs jepa-ts ${value}`)
      }
      const logged = fam === 'mae' ? ['loss'] : ['loss', 'invariance', 'variance', 'covariance']
      const worst: Record<string, number> = {}
      for (const name of logged) {
        worst[name] = Math.abs(next.metrics[name]! - scalar(name))
        assert.ok(worst[name]! <= 1e-4, `${name}: jepa-ts ${next.metrics[name]} vs PyTorch ${scalar(name)}`)
      }
      const compared = stateTensors(next.state)
      Object.assign(worst, compareWithTorch(compared, torch.tensors, fam === 'vicreg' ? vicregZeroGradient : undefined))
      console.log(`${torch.line}; jepa-ts loss ${next.metrics.loss!.toFixed(6)}; ${compared.length} tensors; max |jepa-ts − PyTorch|: ${describeWorst(worst)}`)
    } finally {
      disposeState(next.state)
      tf.dispose([images, ...made])
    }
    const out = join(work, 'checkpoints')
    const log = torchrun2(pkg, ['--steps', '3', '--limit', '64', '--out', out])
    assert.match(log, /2 process\(es\), batch 8 each, 64 images, cpu/)
    assert.match(log, new RegExp(`saved .*${FAMILIES[fam].latest.replace('.', '\\.')} at step 5`))
    const back = join(work, 'back')
    const imported = capture()
    assert.equal(await runImport(join(out, FAMILIES[fam].latest), { family: fam, config: join(pkg, 'config.json'), out: back }, imported), 0, imported.lines.join('\n'))
    const provenance = JSON.parse(readFileSync(join(back, 'import.json'), 'utf8')) as { world_size: number; notImported: string }
    assert.equal(provenance.world_size, 2)
    assert.equal(provenance.notImported, 'scaler', 'the AdamW state came back')
    assert.equal((await readCheckpoint(join(back, 'checkpoint.safetensors'))).meta.step, 5, '2 jepa-ts steps + 3 PyTorch steps')
    const evaluated = capture()
    assert.equal(await runEval(back, { backend: 'cpu', limit: 64, probeEpochs: 1, attentiveEpochs: 0 }, evaluated), 0, evaluated.lines.join('\n'))
    assert.match(evaluated.lines.join('\n'), new RegExp(`${fam} \\(step 5\\)`))
  })
}
