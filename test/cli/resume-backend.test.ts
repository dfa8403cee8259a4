/**
 * Notices that keep a run honest: resuming on another backend (accepted, not bit-exact) and a
 * wall-clock budget that can outlast the schedules.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readCheckpoint } from '@jepa-ts/train/node'
import { runTrain, type CommandIo } from '../../packages/cli/src/commands/train.ts'

const dir = (): string => mkdtempSync(join(tmpdir(), 'jepa-cli-notice-'))
const capture = (): CommandIo & { lines: string[] } => {
  const lines: string[] = []
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l) }
}
const writeConfig = (value: unknown): string => {
  const path = join(dir(), 'cfg.json')
  writeFileSync(path, JSON.stringify(value))
  return path
}
const config = { family: 'linear-ae', model: { image: [32, 32, 1], width: 8 }, train: { batchSize: 16, steps: 4, scheduleSteps: 4, checkpointEvery: 2, monitorEvery: 0 } }

test('a checkpoint of one backend resumed on another: one note line, the run continues, the checkpoint records the backend', async () => {
  const out = join(dir(), 'run')
  const path = writeConfig(config)
  const first = capture()
  assert.equal(await runTrain(path, { backend: 'wasm', out, data: 'synthetic', steps: 2 }, first), 0, first.lines.join('\n'))
  assert.equal((await readCheckpoint(join(out, 'checkpoint.safetensors'))).meta.backend, 'wasm')
  assert.doesNotMatch(first.lines.join('\n'), /computed on the/, 'no note on a fresh run')
  const resumed = capture()
  assert.equal(await runTrain(path, { backend: 'cpu', out, data: 'synthetic', resume: true }, resumed), 0, resumed.lines.join('\n'))
  const notes = resumed.lines.filter((l) => /computed on the wasm backend and resumes on cpu/.test(l))
  assert.equal(notes.length, 1, `one note: ${resumed.lines.join('\n')}`)
  assert.match(notes[0]!, /^note: .*checkpoint\.safetensors was computed on the wasm backend and resumes on cpu: the run continues, but not bit-identically/)
  assert.equal((await readCheckpoint(join(out, 'checkpoint.safetensors'))).meta.backend, 'cpu')
  const same = capture()
  assert.equal(await runTrain(path, { backend: 'cpu', out, data: 'synthetic', resume: true, steps: 6 }, same), 0)
  assert.doesNotMatch(same.lines.join('\n'), /computed on the/, 'no note when the backend is the same')
  const again = capture()
  assert.equal(await runTrain(writeConfig({ ...config, train: { ...config.train, steps: 6, scheduleSteps: 4 } }), { backend: 'cpu', out: join(dir(), 'r'), data: 'synthetic' }, again), 0)
  assert.doesNotMatch(again.lines.join('\n'), /computed on the/, 'no note without a resume')
})

test('--seconds without --steps says that steps past the schedule run at its final values', async () => {
  const io = capture()
  assert.equal(await runTrain(writeConfig(config), { backend: 'cpu', out: join(dir(), 'run'), data: 'synthetic', seconds: 0.3 }, io), 0, io.lines.join('\n'))
  assert.match(io.lines.join('\n'), /note: --seconds 0\.3 is the budget, not a schedule: the lr, weight-decay and EMA schedules last 4 steps \(train\.scheduleSteps\) and steps past 4 run at their final values; add --steps 4/)
  const both = capture()
  assert.equal(await runTrain(writeConfig(config), { backend: 'cpu', out: join(dir(), 'run'), data: 'synthetic', seconds: 0.3, steps: 4 }, both), 0)
  assert.doesNotMatch(both.lines.join('\n'), /is the budget, not a schedule/, 'no note when --steps bounds the run')
})
