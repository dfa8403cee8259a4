import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { keyOf, uniform } from '@jepa-ts/core'
import type { ImageDataset } from '@jepa-ts/data'
import { train, runPaths, writeCheckpoint, readCheckpoint, checkpointBytes, jsonDifference, CheckpointError, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type CheckpointMeta } from '@jepa-ts/train/node'
import { linearAutoencoder, disposeState, type TrainState } from '@jepa-ts/train'

await tf.setBackend('cpu')

const dataset: ImageDataset = {
  name: 'toy-8x8', height: 8, width: 8, channels: 1, size: 16,
  images: Uint8Array.from(uniform(keyOf(7), 16 * 64), (u) => Math.floor(u * 256)), labels: {}, classNames: {},
}
const toy = () => linearAutoencoder({ imageDims: [8, 8, 1], width: 4, lr: 1e-2, weightDecay: 0.05, warmupSteps: 2, totalSteps: 20 })
const freshDir = (): string => mkdtempSync(join(tmpdir(), 'jepa-ckpt-'))
const meta = (step: number): CheckpointMeta => ({
  format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, family: 'linear-ae', config: { width: 4 }, step, key: '0000000000000003', dataset: 'toy-8x8', datasetSize: 16, batchSize: 8,
})

test('writeCheckpoint keeps the previous checkpoint and readCheckpoint returns the metadata', async () => {
  const paths = runPaths(freshDir())
  const s0 = toy().init(keyOf(1))
  await writeCheckpoint(paths, s0, meta(0))
  const first = readFileSync(paths.checkpoint)
  const s1: TrainState = { ...s0, step: 1 }
  await writeCheckpoint(paths, s1, meta(1))
  assert.ok(readFileSync(paths.previousCheckpoint).equals(first), 'the previous checkpoint is kept byte for byte')
  assert.equal((await readCheckpoint(paths.checkpoint)).meta.step, 1, 'the new checkpoint has step 1')
  assert.deepEqual(readdirSync(paths.dir).sort(), ['checkpoint.prev.safetensors', 'checkpoint.safetensors'], 'no temp files left')
  disposeState(s0)
})

test('a write that fails mid-way leaves the last good checkpoint intact and names the file', async () => {
  const dir = freshDir()
  const file = join(dir, 'checkpoint.safetensors')
  let good: Buffer | undefined
  let failing = false
  const r = train({
    dataset, family: toy(), batchSize: 8, key: keyOf(3), config: {}, steps: 6, outDir: dir, checkpointEvery: 2,
    onMetrics: (m) => { if (m.step === 3) { good = readFileSync(file); failing = true } },
    writeAll: async (handle, bytes) => {
      if (failing) {
        await handle.write(bytes, 0, 100) // half a file, then the "power cut"
        throw new Error('injected write failure')
      }
      await handle.write(bytes, 0, bytes.byteLength)
    },
  })
  await assert.rejects(r, (e: unknown) => {
    assert.ok(e instanceof CheckpointError, 'a CheckpointError')
    assert.match(e.message, /cannot write .*checkpoint\.safetensors: injected write failure \(the last good checkpoint is unchanged\)/)
    return true
  })
  assert.ok(good !== undefined && readFileSync(file).equals(good), 'checkpoint.safetensors still holds the step-2 bytes')
  assert.equal((await readCheckpoint(file)).meta.step, 2, 'and it reads as a valid checkpoint')
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'the temp file was removed')
})

/** Starts a child that writes ~2 MB checkpoints in a loop (~5 ms each), SIGKILLs it `delayMs` after its 3rd write, returns the dir and the last reported step. */
const killDuringWrites = async (delayMs: number): Promise<{ dir: string; lastReported: number }> => {
  const dir = freshDir()
  const trainIndex = resolve('packages/train/src/node.ts')
  const script = `
    import * as tf from '@tensorflow/tfjs'
    const t = await import(${JSON.stringify(trainIndex)})
    await tf.setBackend('cpu')
    const paths = t.prepareRunDir(${JSON.stringify(dir)})
    const w = tf.randomNormal([512, 1024], 0, 1, 'float32', 1)
    const state = { step: 0, params: { w }, target: {}, opt: { step: 0, m: {}, v: {} } }
    for (let step = 1; ; step++) {
      await t.writeCheckpoint(paths, { ...state, step }, { format: t.CHECKPOINT_FORMAT, version: 1, family: 'x', config: {}, step, key: '0000000000000001', dataset: 'd', datasetSize: 1, batchSize: 1 })
      process.stdout.write(step + '\\n')
    }`
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: resolve('packages/train'), stdio: ['ignore', 'pipe', 'pipe'] })
  let written: number[] = []
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const closed = new Promise((r) => child.once('close', r))
  await new Promise<void>((done, fail) => {
    let armed = false
    child.stdout.on('data', (d: Buffer) => {
      written = written.concat(d.toString().trim().split('\n').map(Number))
      if (written.length >= 3 && !armed) {
        armed = true
        setTimeout(() => { child.kill('SIGKILL'); done() }, delayMs)
      }
    })
    child.on('exit', (code) => { if (!armed) fail(new Error(`child exited (${code}) before writing: ${stderr}`)) })
  })
  await closed
  return { dir, lastReported: written.at(-1)! }
}

test('processes killed at several points while writing checkpoints always leave a readable checkpoint', async () => {
  const runs = await Promise.all([0, 2, 4].map(killDuringWrites))
  for (const { dir, lastReported } of runs) {
    const file = await readCheckpoint(join(dir, 'checkpoint.safetensors'))
    assert.ok(file.meta.step >= lastReported, `the checkpoint (step ${file.meta.step}) is at least the last reported one (${lastReported})`)
    assert.equal(file.tensors['params.w']?.shape.join(','), '512,1024', 'its tensor is complete')
  }
})

test('readCheckpoint refuses a safetensors file without jepa-ts metadata, naming the file', async () => {
  const dir = freshDir()
  const s = toy().init(keyOf(1))
  const bytes = checkpointBytes(s, meta(0))
  const { writeFileSync } = await import('node:fs')
  const file = join(dir, 'other.safetensors')
  writeFileSync(file, Buffer.from(bytes).toString('latin1').replace('jepa-ts.checkpoint', 'something-elsexxxx'), 'latin1')
  await assert.rejects(readCheckpoint(file), (e: unknown) => {
    assert.ok(e instanceof CheckpointError, 'a CheckpointError')
    assert.match(e.message, /other\.safetensors: not a jepa-ts checkpoint/)
    return true
  })
  disposeState(s)
})

test('jsonDifference names the first differing path and is undefined on equal values', () => {
  assert.equal(jsonDifference({ a: { b: [1, 2] } }, { a: { b: [1, 2] } }, 'config'), undefined, 'equal')
  assert.equal(jsonDifference({ a: { b: [1, 2] } }, { a: { b: [1, 3] } }, 'config'), 'config.a.b.1: this run has 2, the checkpoint has 3')
  assert.equal(jsonDifference({ a: 1 }, {}, 'config'), 'config.a: this run has 1, the checkpoint has absent')
})
