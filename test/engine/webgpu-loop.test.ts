/**
 * The training loop on webgpu (SwiftShader): it reads nothing synchronously (metrics through one
 * awaited read per step, checkpoints through async reads), so a run completes there; a checkpoint
 * written on webgpu holds the state the run ended with and resumes on native, and a native
 * checkpoint resumes on webgpu. The smoke-test family (linear autoencoder) keeps this fast; the
 * families' steps themselves are checked in webgpu-families.test.ts.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { flatten, keyOf } from '@jepa-ts/core'
import { useBackend } from '@jepa-ts/engine'
import { disposeState, stateToTree } from '@jepa-ts/train'
import { readCheckpoint, train } from '@jepa-ts/train/node'
import { useSwiftshader } from './swiftshader.ts'
import { toyDataset, toyFamily } from '../train/toy.ts'

const dataset = toyDataset
const family = toyFamily()
const run = { family, dataset, batchSize: 8, key: keyOf(3), config: { family: 'linear-ae' }, checkpointEvery: 100 }

const lines = (dir: string): Array<Record<string, number>> => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>)

test('a run on webgpu completes with finite metrics; its checkpoint holds the final state and resumes on native', async () => {
  await useSwiftshader()
  const dir = mkdtempSync(join(tmpdir(), 'jepa-webgpu-loop-'))
  const r = await train({ ...run, steps: 3, outDir: dir })
  assert.equal(r.outcome, 'completed', r.message)
  assert.equal(tf.getBackend(), 'webgpu')
  const logged = lines(dir)
  assert.deepEqual(logged.map((l) => l['step']), [1, 2, 3])
  for (const l of logged) for (const k of ['loss', 'lr', 'gradNorm']) assert.ok(Number.isFinite(l[k]), `step ${l['step']}: ${k} ${l[k]}`)
  const saved = await readCheckpoint(join(dir, 'checkpoint.safetensors'))
  assert.equal(saved.meta.backend, 'webgpu')
  assert.equal(saved.meta.step, 3)
  const finalLeaves = flatten(stateToTree(r.state))
  for (const [path, t] of finalLeaves) {
    const stored = saved.tensors[path]
    assert.ok(stored !== undefined, `checkpoint holds ${path}`)
    assert.deepEqual(Array.from(stored.data), Array.from(await t.data()), `${path}: the checkpoint is the final webgpu state`)
  }
  disposeState(r.state)

  await useBackend('native')
  const resumed = await train({ ...run, steps: 5, outDir: dir, resume: true })
  assert.equal(resumed.outcome, 'completed', resumed.message)
  assert.equal(resumed.step, 5)
  assert.equal((await readCheckpoint(join(dir, 'checkpoint.safetensors'))).meta.backend, 'native')
  assert.deepEqual(lines(dir).map((l) => l['step']), [1, 2, 3, 4, 5])
  disposeState(resumed.state)
})

test('a native checkpoint resumes on webgpu', async () => {
  await useBackend('native')
  const dir = mkdtempSync(join(tmpdir(), 'jepa-webgpu-loop-'))
  const first = await train({ ...run, steps: 2, outDir: dir })
  assert.equal(first.outcome, 'completed', first.message)
  disposeState(first.state)
  await useSwiftshader()
  const resumed = await train({ ...run, steps: 4, outDir: dir, resume: true })
  assert.equal(resumed.outcome, 'completed', resumed.message)
  assert.equal(resumed.resumedFrom, join(dir, 'checkpoint.safetensors'))
  assert.equal((await readCheckpoint(join(dir, 'checkpoint.safetensors'))).meta.backend, 'webgpu')
  assert.ok(lines(dir).every((l) => Number.isFinite(l['loss'])))
  disposeState(resumed.state)
  await tf.setBackend('cpu')
})
