/**
 * Fault paths of a run directory: a resume never destroys history (atomic metrics rewrite, the
 * backup checkpoint is used, not overwritten), debris of interrupted writes is cleaned, a checkpoint
 * and its backup that are links of one file are handled, one run at a time per directory, paths that
 * used to hang, and a full disk during a metrics append.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import { existsSync, linkSync, mkdtempSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { keyOf, uniform } from '@jepa-ts/core'
import type { ImageDataset } from '@jepa-ts/data'
import { train, readCheckpoint, writeCheckpoint, runPaths, openMetricsLog, parseMetrics, CheckpointError, MetricsLogError, RunDirError, RunLockError, type TrainResult } from '@jepa-ts/train/node'
import { linearAutoencoder, disposeState } from '@jepa-ts/train'

await tf.setBackend('cpu')

const dataset: ImageDataset = {
  name: 'toy-8x8', height: 8, width: 8, channels: 1, size: 24,
  images: Uint8Array.from(uniform(keyOf(7), 24 * 64), (u) => Math.floor(u * 256)), labels: {}, classNames: {},
}
const toy = () => linearAutoencoder({ imageDims: [8, 8, 1], width: 4, lr: 1e-2, weightDecay: 0.05, warmupSteps: 2, totalSteps: 20 })
const freshDir = (): string => mkdtempSync(join(tmpdir(), 'jepa-faults-'))
const base = { dataset, batchSize: 8, key: keyOf(3), config: { family: 'linear-ae', width: 4 }, checkpointEvery: 2 }
const run = async (outDir: string, steps: number, extra: Partial<Parameters<typeof train>[0]> = {}): Promise<TrainResult> => {
  const r = await train({ ...base, family: toy(), outDir, steps, ...extra })
  disposeState(r.state)
  return r
}
const steps = (dir: string): number[] => parseMetrics(readFileSync(join(dir, 'metrics.jsonl'), 'utf8')).map((m) => m.step)

test('resume rewrites metrics.jsonl by rename, never in place: a link to the old file keeps every line', async () => {
  const dir = freshDir()
  await run(dir, 6)
  const metrics = join(dir, 'metrics.jsonl')
  // Lines written after the step-6 checkpoint by a run that was then killed.
  writeFileSync(metrics, `${readFileSync(metrics, 'utf8')}{"step":7,"loss":1}\n{"step":8,"lo`)
  const before = readFileSync(metrics)
  linkSync(metrics, join(dir, 'old-metrics'))
  await run(dir, 8, { resume: true })
  assert.ok(readFileSync(join(dir, 'old-metrics')).equals(before), 'the old file was replaced, not truncated and rewritten')
  assert.deepEqual(steps(dir), [1, 2, 3, 4, 5, 6, 7, 8], 'each step once')
})

test('a failed metrics rewrite leaves the file as it was and names it', () => {
  const dir = freshDir()
  const path = join(dir, 'metrics.jsonl')
  writeFileSync(path, '{"step":1,"loss":1}\n{"step":2,"loss":1}\n')
  const before = readFileSync(path)
  const enospc = (): number => { throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }) }
  assert.throws(() => openMetricsLog(path, 1, { writeSync: enospc }), (e: unknown) => e instanceof MetricsLogError && /metrics\.jsonl .*unchanged.*ENOSPC/.test(e.message))
  assert.ok(readFileSync(path).equals(before), 'unchanged')
  assert.deepEqual(readdirSync(dir), ['metrics.jsonl'], 'no temp file left')
})

test('disk full during a metrics append: the error names the file and no partial line is left', () => {
  const dir = freshDir()
  const path = join(dir, 'metrics.jsonl')
  let full = false
  const halfThenFull = (fd: number, bytes: Uint8Array, offset: number, length: number): number => {
    if (!full) return fs.writeSync(fd, bytes, offset, length)
    if (length > 4) return fs.writeSync(fd, bytes, offset, 4)
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
  }
  const log = openMetricsLog(path, undefined, { writeSync: halfThenFull })
  log.append({ step: 1, loss: 0.5 })
  full = true
  assert.throws(() => log.append({ step: 2, loss: 0.25 }), (e: unknown) => e instanceof MetricsLogError && e.message.includes(path) && /step 2.*ENOSPC/.test(e.message))
  assert.equal(readFileSync(path, 'utf8'), '{"step":1,"loss":0.5}\n', 'the file ends with its last complete line')
})

test('--resume with only checkpoint.prev.safetensors resumes from it and says so; a new run refuses it', async () => {
  const dir = freshDir()
  await run(dir, 6)
  const paths = runPaths(dir)
  assert.equal((await readCheckpoint(paths.previousCheckpoint)).meta.step, 4)
  unlinkSync(paths.checkpoint)
  const backup = readFileSync(paths.previousCheckpoint)
  await assert.rejects(run(dir, 8), (e: unknown) => e instanceof CheckpointError && /checkpoint\.prev\.safetensors already exists: pass resume/.test(e.message))
  assert.ok(readFileSync(paths.previousCheckpoint).equals(backup), 'the refused run wrote nothing over the backup')
  const notices: string[] = []
  const r = await run(dir, 8, { resume: true, notice: (l) => notices.push(l) })
  assert.equal(r.resumedFrom, paths.previousCheckpoint)
  assert.match(notices.join('\n'), /checkpoint\.safetensors is missing; resuming from the previous checkpoint .*checkpoint\.prev\.safetensors \(step 4\)/)
  assert.deepEqual(steps(dir), [1, 2, 3, 4, 5, 6, 7, 8], 'metrics kept through step 4, then 5..8 again')
  assert.equal((await readCheckpoint(paths.checkpoint)).meta.step, 8)
  // Straight to 8 in one go gives the same bytes: the backup was a real resume point.
  const straight = freshDir()
  await run(straight, 8)
  assert.ok(readFileSync(paths.checkpoint).equals(readFileSync(runPaths(straight).checkpoint)), 'bit-exact')
})

test('checkpoint and .prev as two links of one file (a killed write): the next write leaves no temp file and keeps the old bytes as .prev', async () => {
  const dir = freshDir()
  const r = await train({ ...base, family: toy(), outDir: dir, steps: 2 })
  const paths = runPaths(dir)
  if (existsSync(paths.previousCheckpoint)) unlinkSync(paths.previousCheckpoint)
  linkSync(paths.checkpoint, paths.previousCheckpoint)
  const old = readFileSync(paths.checkpoint)
  const { runMeta } = await import('@jepa-ts/train/node')
  await writeCheckpoint(paths, r.state, { ...runMeta({ ...base, family: toy() }), step: 3 })
  disposeState(r.state)
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'no temp file left')
  assert.ok(readFileSync(paths.previousCheckpoint).equals(old), '.prev holds the old bytes')
  assert.equal((await readCheckpoint(paths.checkpoint)).meta.step, 3, 'the new checkpoint is in place')
  assert.notEqual(statSync(paths.checkpoint).ino, statSync(paths.previousCheckpoint).ino, 'two files again')
})

test('temp files left by killed writes are removed when the next run takes the directory', async () => {
  const dir = freshDir()
  await run(dir, 2)
  const debris = ['.checkpoint.safetensors.123.abcdef.tmp', 'checkpoint.prev.safetensors.123.abcdef.tmp', '.metrics.jsonl.9.aa.tmp', '.write-probe.77']
  for (const name of debris) writeFileSync(join(dir, name), 'x'.repeat(1000))
  writeFileSync(join(dir, 'notes.tmp'), 'mine')
  const notices: string[] = []
  await run(dir, 4, { resume: true, notice: (l) => notices.push(l) })
  assert.deepEqual(readdirSync(dir).sort(), ['checkpoint.prev.safetensors', 'checkpoint.safetensors', 'metrics.jsonl', 'notes.tmp'], 'debris removed, other files kept')
  assert.match(notices.join('\n'), /removed 4 temp file\(s\) left by an interrupted write/)
})

test('one run at a time per directory: a live holder is named and refused; a stale lock is recovered', async () => {
  const dir = freshDir()
  const paths = runPaths(dir)
  const lock = join(dir, 'run.lock')
  // Two concurrent runs in this process: the second is refused while the first trains.
  const first = train({ ...base, family: toy(), outDir: dir, steps: 40 })
  await new Promise((r) => setImmediate(r))
  await assert.rejects(run(dir, 40), (e: unknown) => e instanceof RunLockError && /is in use by this process/.test(e.message))
  disposeState((await first).state)
  assert.equal(existsSync(lock), false, 'released after the run')
  assert.equal(steps(dir).length, 40, 'the first run alone wrote metrics')
  // Another live process holds it.
  const sleeper = spawn('sleep', ['30'])
  try {
    writeFileSync(lock, JSON.stringify({ pid: sleeper.pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }))
    await assert.rejects(run(dir, 42, { resume: true }), (e: unknown) => e instanceof RunLockError && e.message.includes(`in use by process ${sleeper.pid}`) && e.message.includes(paths.dir))
  } finally {
    sleeper.kill('SIGKILL')
  }
  await new Promise((r) => sleeper.once('exit', r))
  // Its process is gone: stale.
  const notices: string[] = []
  await run(dir, 42, { resume: true, notice: (l) => notices.push(l) })
  assert.match(notices.join('\n'), new RegExp(`recovered the lock of process ${sleeper.pid}, which is no longer running`))
  // An unreadable lock (cut by a crash) is stale too.
  writeFileSync(lock, '{"pid":')
  await run(dir, 44, { resume: true })
  assert.equal(steps(dir).at(-1), 44)
})

test('output paths that used to hang or write into the current folder are refused at once', async () => {
  for (const [out, why] of [['/proc/self/x', /\/proc\/self\/x is not writable: ENOENT/], ['', /output directory "" is not writable: an empty path names no directory/], ['   ', /an empty path/]] as const) {
    const began = performance.now()
    await assert.rejects(run(out, 2), (e: unknown) => e instanceof RunDirError && why.test(e.message), `refused: ${JSON.stringify(out)}`)
    assert.ok(performance.now() - began < 2000, `${out}: at once`)
  }
  const file = join(freshDir(), 'f')
  writeFileSync(file, '')
  await assert.rejects(run(join(file, 'a', 'b'), 2), (e: unknown) => e instanceof RunDirError && /f is not a directory/.test(e.message))
})
