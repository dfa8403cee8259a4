import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { keyOf } from '@jepa-ts/core'
import { train, RunDirError } from '@jepa-ts/train/node'
import { disposeState, type Family } from '@jepa-ts/train'
import { toyDataset, toyFamily } from './toy.ts'

await tf.setBackend('cpu')

const dataset = toyDataset
const toy = (): Family => toyFamily()
const freshDir = (): string => mkdtempSync(join(tmpdir(), 'jepa-loop-'))
const base = { dataset, batchSize: 8, key: keyOf(3), config: { family: 'linear-ae' } }

/** The toy family whose loss reads as `bad` from step `at` on (1-based count after the step). */
const divergingAt = (at: number, bad: number): Family => {
  const { stepDeferred: _deferred, ...inner } = toy() // the loop prefers stepDeferred: drop it so this step runs
  return { ...inner, step: (s, images, key) => {
    const r = inner.step(s, images, key)
    return r.state.step >= at ? { state: r.state, metrics: { ...r.metrics, loss: bad } } : r
  } }
}

for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
  test(`a ${bad} loss stops the run, names the step and keeps the last good checkpoint's bytes`, async () => {
    const dir = freshDir()
    const file = join(dir, 'checkpoint.safetensors')
    let goodBytes: Buffer | undefined
    const r = await train({
      ...base, family: divergingAt(5, bad), steps: 10, outDir: dir, checkpointEvery: 2,
      onMetrics: (m) => { if (m.step === 5) goodBytes = readFileSync(file) },
    })
    assert.equal(r.outcome, 'diverged', 'outcome is diverged')
    assert.equal(r.step, 5, 'stopped at the step that diverged')
    assert.match(r.message, new RegExp(`loss became ${bad} at step 5.*last good checkpoint is ${file.replace(/[.]/g, '\\.')}`))
    assert.ok(goodBytes !== undefined, 'the step-4 checkpoint existed when step 5 ran')
    assert.ok(readFileSync(file).equals(goodBytes), 'checkpoint bytes unchanged by the divergence')
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    assert.equal(lines.length, 5, 'the diverging step is logged too')
    assert.equal(lines[4]!.loss, String(bad), 'non-finite loss is written as a string, the line stays JSON')
    disposeState(r.state)
  })
}

test('aborting the signal stops at the next step and writes a checkpoint of the step reached', async () => {
  const { readCheckpoint } = await import('@jepa-ts/train/node')
  const dir = freshDir()
  const controller = new AbortController()
  const r = await train({ ...base, family: toy(), steps: 50, outDir: dir, checkpointEvery: 2, signal: controller.signal, onMetrics: (m) => { if (m.step === 3) controller.abort() } })
  assert.equal(r.outcome, 'interrupted', 'outcome is interrupted')
  assert.equal(r.step, 3, 'the step in flight finished')
  assert.match(r.message, /interrupted after step 3; wrote checkpoint .*checkpoint\.safetensors at step 3/)
  assert.equal((await readCheckpoint(join(dir, 'checkpoint.safetensors'))).meta.step, 3, 'the checkpoint holds step 3')
  assert.equal((await readCheckpoint(join(dir, 'checkpoint.prev.safetensors'))).meta.step, 2, 'the periodic step-2 checkpoint is kept as .prev')
  disposeState(r.state)
})

test('an abort that arrives while a step runs (a signal handler) is seen before the next step', async () => {
  const dir = freshDir()
  const controller = new AbortController()
  // The abort is queued as a macrotask (like a SIGINT handler): it runs only when the loop yields.
  const r = await train({ ...base, family: toy(), steps: 50, outDir: dir, checkpointEvery: 100, signal: controller.signal, onMetrics: (m) => { if (m.step === 3) setImmediate(() => controller.abort()) } })
  assert.equal(r.outcome, 'interrupted', 'outcome is interrupted')
  assert.ok(r.step <= 4, `stopped at step ${r.step}, not at the budget or a periodic checkpoint`)
  assert.match(r.message, new RegExp(`wrote checkpoint .* at step ${r.step}`))
  disposeState(r.state)
})

test('an output directory under a regular file is refused before the family is initialized', async () => {
  const file = join(freshDir(), 'plain-file')
  writeFileSync(file, 'x')
  let initialized = false
  const family: Family = { ...toy(), init: (k) => { initialized = true; return toy().init(k) } }
  await assert.rejects(train({ ...base, family, steps: 2, outDir: join(file, 'sub'), checkpointEvery: 1 }), (e: unknown) => {
    assert.ok(e instanceof RunDirError, 'a RunDirError')
    assert.match(e.message, /output directory .*plain-file\/sub is not writable: /)
    return true
  })
  assert.equal(initialized, false, 'nothing was computed')
})

test('the live tensor count after a run is the state alone (no leaks per step)', async () => {
  const before = tf.memory().numTensors
  const r = await train({ ...base, family: toy(), steps: 6, outDir: freshDir(), checkpointEvery: 3 })
  const stateTensors = 12 // 4 params, 4 m, 4 v
  assert.equal(tf.memory().numTensors - before, stateTensors, 'only the returned state is live')
  disposeState(r.state)
  assert.equal(tf.memory().numTensors, before, 'nothing left after disposing the state')
})

test('a wall-clock budget completes and writes a checkpoint; a bad budget is refused', async () => {
  const dir = freshDir()
  const r = await train({ ...base, family: toy(), wallClockSeconds: 0.2, outDir: dir, checkpointEvery: 1000 })
  assert.equal(r.outcome, 'completed', 'completed')
  assert.ok(r.step >= 1, `at least one step (${r.step})`)
  assert.ok(existsSync(join(dir, 'checkpoint.safetensors')), 'final checkpoint written')
  disposeState(r.state)
  await assert.rejects(train({ ...base, family: toy(), outDir: freshDir(), checkpointEvery: 1 }), /give a budget/)
  await assert.rejects(train({ ...base, family: toy(), steps: 0, outDir: freshDir(), checkpointEvery: 1 }), /steps must be a positive integer, got 0/)
})
