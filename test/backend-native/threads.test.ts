/**
 * The native backend's thread budget (packages/backend-native/src/threads.ts) reaches both of its thread users: the addon's
 * own pool and OpenBLAS, as the addon reports them (`info()`), whether it comes from
 * `JEPA_THREADS` at registration, from `setThreads`, from the engine's `useBackend` or from
 * `jepa eval --threads`. Resizing the pool keeps kernels correct and a pool worker's exception a JS
 * error. No timing.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import { activeNativeBackend, setThreads, threadBudget } from '@jepa-ts/backend-native'
import { useBackend } from '@jepa-ts/engine'
import { jepaProgram } from '../../packages/cli/src/program.ts'
import { runProgram } from '../../packages/cli/src/run-program.ts'
import { setup } from './harness.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

const counts = (): { pool: number; blas: number } => {
  const b = activeNativeBackend()
  assert.ok(b !== undefined, 'native is active')
  const i = b.addon.info()
  return { pool: i.poolThreads, blas: i.blasThreads }
}

test('threadBudget: JEPA_THREADS when set, else the machine\'s cores; malformed values name the variable', () => {
  assert.equal(threadBudget({}), Math.min(availableParallelism(), 256))
  assert.equal(threadBudget({ JEPA_THREADS: '' }), Math.min(availableParallelism(), 256))
  assert.equal(threadBudget({ JEPA_THREADS: '3' }), 3)
  assert.equal(threadBudget({ JEPA_THREADS: ' 12 ' }), 12)
  for (const bad of ['0', '-2', '1.5', 'four', '257']) assert.throws(() => threadBudget({ JEPA_THREADS: bad }), /JEPA_THREADS/, bad)
})

test('setThreads gives the pool and OpenBLAS the same count; kernels stay correct after a resize', async () => {
  await setup()
  const a = tf.tidy(() => tf.randomUniform([64, 96], -1, 1, 'float32', 3))
  const b = tf.tidy(() => tf.randomUniform([96, 80], -1, 1, 'float32', 4))
  await tf.setBackend('cpu')
  const want = tf.tidy(() => tf.exp(tf.matMul(a, b).mul(0.1)).dataSync())
  await tf.setBackend('native')
  for (const n of [3, 1, 2]) {
    setThreads(n)
    assert.deepEqual(counts(), { pool: n, blas: n }, `after setThreads(${n})`)
    // Big enough that `exp` splits over the pool (1 << 15 work per chunk).
    const x = tf.tidy(() => tf.tile(tf.exp(tf.matMul(a, b).mul(0.1)), [64, 1]))
    const got = x.dataSync()
    x.dispose()
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5 * Math.abs(want[i]!) + 1e-6, `n ${n}: element ${i}`)
  }
  setThreads(2)
  assert.throws(() => activeNativeBackend()!.addon.throwForTest('pool'), /pool chunk threw/, 'a worker\'s exception after a resize is a JS error')
  for (const bad of [0, -1, 1.5, 257, Number.NaN]) assert.throws(() => setThreads(bad), /--threads must be an integer from 1 to 256/, String(bad))
  // The addon's own boundary, past the TS check: a bad count is a JS error, never a crash.
  const addon = activeNativeBackend()!.addon
  for (const bad of [0, -1, 1.5, 257, Number.NaN, Number.POSITIVE_INFINITY, '2', undefined, null]) {
    assert.throws(() => Reflect.apply(addon.setThreads, addon, [bad]), /threads/, `addon.setThreads(${String(bad)})`)
  }
  assert.deepEqual(counts(), { pool: 2, blas: 2 }, 'a refused count changes nothing')
  tf.dispose([a, b])
})

test('useBackend({ threads }) and `jepa eval --threads` set both counts', async () => {
  await setup()
  await useBackend('native', { threads: 3 })
  assert.deepEqual(counts(), { pool: 3, blas: 3 })
  let text = ''
  const program = jepaProgram()
  for (const c of [program, ...program.commands]) c.configureOutput({ writeOut: (s) => { text += s }, writeErr: (s) => { text += s } })
  // The backend is activated before the checkpoint is read: the missing run directory fails after it.
  const code = await runProgram(program, ['node', 'jepa', 'eval', join(root, 'no-such-run-dir'), '--backend', 'native', '--threads', '2'], (l) => { text += `${l}\n` })
  process.exitCode = undefined
  assert.equal(code, 2, text)
  assert.deepEqual(counts(), { pool: 2, blas: 2 }, 'jepa eval --threads 2 reached the pool and OpenBLAS')
  const bad = jepaProgram()
  let badText = ''
  for (const c of [bad, ...bad.commands]) c.configureOutput({ writeOut: (s) => { badText += s }, writeErr: (s) => { badText += s } })
  const badCode = await runProgram(bad, ['node', 'jepa', 'train', 'x.json', '--threads', '0'], (l) => { badText += `${l}\n` })
  process.exitCode = undefined
  assert.equal(badCode, 2)
  assert.match(badText, /--threads expects a positive integer, got "0"/)
  for (const cmd of ['train', 'eval', 'compare']) {
    assert.ok(jepaProgram().commands.find((c) => c.name() === cmd)?.options.some((o) => o.long === '--threads'), `jepa ${cmd} has --threads`)
  }
})

test('registration applies JEPA_THREADS to both counts (a fresh process)', () => {
  const script = "import { registerNativeBackend, loadAddon } from '@jepa-ts/backend-native'; const r = registerNativeBackend(); const a = loadAddon(); if (!r.ok || !a.ok) throw new Error('no addon'); const i = a.addon.info(); console.log(JSON.stringify({ pool: i.poolThreads, blas: i.blasThreads }))"
  const run = (env: Record<string, string>): string => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } })
    assert.equal(r.status, 0, r.stderr)
    return r.stdout.trim()
  }
  assert.equal(run({ JEPA_THREADS: '3' }), JSON.stringify({ pool: 3, blas: 3 }))
})
