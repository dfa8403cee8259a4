/**
 * Ctrl-C through the README's own launcher, `pnpm jepa train …`: the signal goes to the whole
 * foreground process group (pnpm, its shell and the trainer), as a terminal sends it. The run must
 * stop within 2 s, print why, leave a checkpoint of the step it reached, and resume from it
 * bit-exactly.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readCheckpoint } from '@jepa-ts/train/node'
import { runTrain, type CommandIo } from '../../packages/cli/src/commands/train.ts'

const dir = (): string => mkdtempSync(join(tmpdir(), 'jepa-cli-interrupt-'))
const quiet: CommandIo = { out: () => undefined, err: () => undefined }
const metricSteps = (path: string): number[] =>
  existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l.endsWith('}')).map((l) => (JSON.parse(l) as { step: number }).step) : []

test('Ctrl-C under `pnpm jepa train`: exit 130 within 2 s, a message, a checkpoint at the step reached, a bit-exact resume', async (t) => {
  // Steps of a few hundred ms (a launcher that allows the trainer only tens of ms to acknowledge the
  // signal kills it mid-step). A schedule of its own (scheduleSteps) so that --steps may change on resume; no periodic checkpoint
  // before the signal, so the checkpoint found can only be the one written on interrupt.
  const config = join(dir(), 'cfg.json')
  writeFileSync(config, JSON.stringify({
    family: 'linear-ae', model: { image: [32, 32, 1], width: 48 },
    train: { batchSize: 64, steps: 1_000_000, scheduleSteps: 1000, checkpointEvery: 1_000_000, monitorEvery: 0 },
  }))
  const out = join(dir(), 'run')
  const child = spawn('pnpm', ['jepa', 'train', config, '--out', out, '--backend', 'cpu', '--data', 'synthetic'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  child.stdout.on('data', (d: Buffer) => { stderr += d.toString() })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const metrics = join(out, 'metrics.jsonl')
  for (let i = 0; i < 1200 && metricSteps(metrics).length < 5; i++) await new Promise((r) => setTimeout(r, 50))
  if (metricSteps(metrics).length < 5) process.kill(-child.pid!, 'SIGKILL')
  assert.ok(metricSteps(metrics).length >= 5, `training started: ${stderr}`)
  const sentAt = performance.now()
  process.kill(-child.pid!, 'SIGINT') // the terminal's Ctrl-C: every process of the foreground group
  // A run that ignores the signal is killed after 15 s, so that the test fails instead of hanging.
  const guard = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000)
  const { code, signal } = await exited
  clearTimeout(guard)
  const seconds = (performance.now() - sentAt) / 1000
  // pnpm re-raises the signal its script died of; a shell reports either as status 130 (128 + SIGINT).
  const status = code ?? 128 + (signal === 'SIGINT' ? 2 : 0)
  assert.equal(status, 130, `exit status 130 (code ${code}, signal ${signal}); output: ${stderr}`)
  t.diagnostic(`stopped ${seconds.toFixed(2)} s after the signal, at step ${metricSteps(metrics).at(-1)}`)
  assert.ok(seconds < 2, `stopped ${seconds.toFixed(2)} s after the signal`)
  const reached = metricSteps(metrics).at(-1)!
  assert.match(stderr, new RegExp(`jepa train: interrupted after step ${reached}; wrote checkpoint .*checkpoint\\.safetensors at step ${reached}`))
  const checkpoint = join(out, 'checkpoint.safetensors')
  assert.equal((await readCheckpoint(checkpoint)).meta.step, reached, 'the checkpoint holds the step reached')

  const target = reached + 3
  assert.equal(await runTrain(config, { backend: 'cpu', out, data: 'synthetic', resume: true, steps: target }, quiet), 0, 'resume')
  const straight = join(dir(), 'run')
  assert.equal(await runTrain(config, { backend: 'cpu', out: straight, data: 'synthetic', steps: target }, quiet), 0, 'straight run')
  assert.ok(readFileSync(checkpoint).equals(readFileSync(join(straight, 'checkpoint.safetensors'))), `interrupted at ${reached} + resumed to ${target} is byte-identical to ${target} steps in one go`)
  assert.deepEqual(metricSteps(metrics), Array.from({ length: target }, (_, i) => i + 1), 'every step logged once')
})
