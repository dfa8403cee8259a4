import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { flatten, keyOf } from '@jepa-ts/core'
import { train, CheckpointError } from '@jepa-ts/train/node'
import { stateToTree, disposeState, type TrainState } from '@jepa-ts/train'
import { toyDataset, toyFamily } from './toy.ts'

await tf.setBackend('cpu')

const dataset = toyDataset
const toy = toyFamily
const freshDir = (): string => mkdtempSync(join(tmpdir(), 'jepa-resume-'))
const base = { dataset, batchSize: 8, key: keyOf(3), config: { family: 'linear-ae', width: 4 } }

const bytesOf = (s: TrainState): Array<readonly [string, string]> =>
  flatten(stateToTree(s)).map(([p, t]) => [p, Buffer.from((t.dataSync() as Float32Array).buffer).toString('hex')] as const)

test('k steps + resume + k steps gives bit-identical tensors (and checkpoint bytes) to 2k steps', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), async (k, every) => {
      const once = freshDir()
      const split = freshDir()
      const straight = await train({ ...base, family: toy(), steps: 2 * k, outDir: once, checkpointEvery: every })
      const first = await train({ ...base, family: toy(), steps: k, outDir: split, checkpointEvery: every })
      disposeState(first.state)
      const second = await train({ ...base, family: toy(), steps: 2 * k, outDir: split, checkpointEvery: every, resume: true })
      assert.equal(second.resumedFrom, join(split, 'checkpoint.safetensors'), 'the second run resumed from the checkpoint')
      assert.equal(second.step, 2 * k, 'resumed run reaches 2k')
      assert.deepEqual(bytesOf(second.state), bytesOf(straight.state), `every tensor identical after ${k}+${k} vs ${2 * k} steps`)
      assert.ok(readFileSync(join(once, 'checkpoint.safetensors')).equals(readFileSync(join(split, 'checkpoint.safetensors'))), 'checkpoint files identical')
      const stepsLogged = readFileSync(join(split, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step)
      assert.deepEqual(stepsLogged, Array.from({ length: 2 * k }, (_, i) => i + 1), 'metrics: each step once across the resume')
      disposeState(straight.state)
      disposeState(second.state)
    }),
    { numRuns: 4 },
  )
})

test('a resumed run\'s times continue the earlier invocation\'s: metrics elapsedSeconds and trainedSeconds', async () => {
  const dir = freshDir()
  const first = await train({ ...base, family: toy(), steps: 2, outDir: dir, checkpointEvery: 1 })
  disposeState(first.state)
  const second = await train({ ...base, family: toy(), steps: 4, outDir: dir, checkpointEvery: 1, resume: true })
  disposeState(second.state)
  const times = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { elapsedSeconds: number }).elapsedSeconds)
  assert.equal(times.length, 4)
  times.slice(1).forEach((t, i) => assert.ok(t >= times[i]!, `elapsedSeconds never goes back: ${times.join(', ')}`))
  assert.ok(Math.abs(second.trainedSeconds - (times[1]! + second.wallSeconds)) < 1e-6, `trainedSeconds ${second.trainedSeconds} = ${times[1]} (kept) + ${second.wallSeconds} (this invocation)`)
})

test('a new run refuses a directory that already holds a checkpoint', async () => {
  const dir = freshDir()
  disposeState((await train({ ...base, family: toy(), steps: 1, outDir: dir, checkpointEvery: 1 })).state)
  await assert.rejects(train({ ...base, family: toy(), steps: 2, outDir: dir, checkpointEvery: 1 }), (e: unknown) => {
    assert.ok(e instanceof CheckpointError, 'a CheckpointError')
    assert.match(e.message, /checkpoint\.safetensors already exists: pass resume/)
    return true
  })
})

test('resume with a different config is refused naming the differing field', async () => {
  const dir = freshDir()
  disposeState((await train({ ...base, family: toy(), steps: 1, outDir: dir, checkpointEvery: 1 })).state)
  const before = readFileSync(join(dir, 'checkpoint.safetensors'))
  await assert.rejects(train({ ...base, config: { family: 'linear-ae', width: 5 }, family: toy(), steps: 2, outDir: dir, checkpointEvery: 1, resume: true }), (e: unknown) => {
    assert.ok(e instanceof CheckpointError, 'a CheckpointError')
    assert.match(e.message, /belongs to another run: config\.width: this run has 5, the checkpoint has 4/)
    return true
  })
  await assert.rejects(train({ ...base, batchSize: 4, family: toy(), steps: 2, outDir: dir, checkpointEvery: 1, resume: true }), /batchSize: this run has 4, the checkpoint has 8/)
  assert.ok(readFileSync(join(dir, 'checkpoint.safetensors')).equals(before), 'the checkpoint is untouched')
})

test('a checkpoint of a different architecture is refused naming the tensor and both shapes', async () => {
  const dir = freshDir()
  disposeState((await train({ ...base, family: toy(4), steps: 1, outDir: dir, checkpointEvery: 1 })).state)
  const live = tf.memory().numTensors
  await assert.rejects(train({ ...base, family: toy(6), steps: 2, outDir: dir, checkpointEvery: 1, resume: true }), (e: unknown) => {
    assert.ok(e instanceof CheckpointError, 'a CheckpointError')
    assert.match(e.message, /checkpoint\.safetensors.*different architecture/)
    assert.match(e.message, /params\.encoder\.weight: expected \[64, 6\] float32, got \[64, 4\] float32/)
    return true
  })
  assert.equal(tf.memory().numTensors, live, 'no tensor left behind by the refused resume')
})

test('a truncated checkpoint and one with a lying header are refused naming the file', async () => {
  const dir = freshDir()
  disposeState((await train({ ...base, family: toy(), steps: 1, outDir: dir, checkpointEvery: 1 })).state)
  const file = join(dir, 'checkpoint.safetensors')
  const good = readFileSync(file)
  writeFileSync(file, good.subarray(0, good.length - 10))
  await assert.rejects(train({ ...base, family: toy(), steps: 2, outDir: dir, checkpointEvery: 1, resume: true }), (e: unknown) => {
    assert.ok(e instanceof CheckpointError, 'a CheckpointError')
    assert.ok(e.message.includes(file), `names the file: ${e.message}`)
    return true
  })
  // Lying header: claim a larger shape for the first tensor, same byte length.
  const headerLength = Number(good.readBigUInt64LE(0))
  const header = good.subarray(8, 8 + headerLength).toString('utf8').replace('"shape":[64,4]', '"shape":[64,5]')
  assert.ok(header.includes('[64,5]'), 'the header was edited')
  const lying = Buffer.concat([good.subarray(0, 8), Buffer.from(header, 'utf8'), good.subarray(8 + headerLength)])
  writeFileSync(file, lying)
  await assert.rejects(train({ ...base, family: toy(), steps: 2, outDir: dir, checkpointEvery: 1, resume: true }), (e: unknown) => {
    assert.ok(e instanceof CheckpointError, 'a CheckpointError')
    assert.ok(e.message.includes(file), `names the file: ${e.message}`)
    assert.match(e.message, /params\.encoder\.weight/)
    return true
  })
})
