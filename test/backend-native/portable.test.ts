/**
 * The addon is portable and refuses, with a message, where it cannot run: the loader picks the
 * x86-64-v4, v3 or v2 (baseline) build from the CPU's flags before loading anything (a CPU
 * below the baseline gets a reason, never SIGILL — simulated with JEPA_NATIVE_CPU_FLAGS in a child
 * process), and the addon serves the main thread only (a worker thread gets a reason from the
 * loader, and the compiled addon itself refuses a second Node environment).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { ADDON_PATH, WORKER_REASON, X86_64_V2, X86_64_V3, X86_64_V4, chooseBuild, hostCpu, loadAddon, loadAddonAt } from '@jepa-ts/backend-native'

const packageDir = join(dirname(ADDON_PATH), '..', '..')
const release = dirname(ADDON_PATH)
const cpuWith = (flags: readonly string[]) => ({ arch: 'x64', flags: new Set(flags) })

test('the build matches the CPU: v4 flags pick the v4 build, v3 the v3 one, v2 the baseline, less is refused with the missing flags', () => {
  const v4 = chooseBuild(release, cpuWith(X86_64_V4))
  assert.ok(v4.ok && v4.level === 'x86-64-v4' && v4.file.endsWith('jepa_native_v4.node'), JSON.stringify(v4))
  const capped = chooseBuild(release, cpuWith(X86_64_V4), { JEPA_NATIVE_BUILD: 'v3' })
  assert.ok(capped.ok && capped.level === 'x86-64-v3')
  const v3 = chooseBuild(release, cpuWith([...X86_64_V3, 'avx512f']))
  assert.ok(v3.ok && v3.level === 'x86-64-v3' && v3.file.endsWith('jepa_native_v3.node'), JSON.stringify(v3))
  const v2 = chooseBuild(release, cpuWith([...X86_64_V2, 'avx']))
  assert.ok(v2.ok && v2.level === 'x86-64-v2' && v2.file.endsWith('jepa_native.node'), JSON.stringify(v2))
  const forced = chooseBuild(release, cpuWith(X86_64_V3), { JEPA_NATIVE_BUILD: 'v2' })
  assert.ok(forced.ok && forced.level === 'x86-64-v2')
  const old = chooseBuild(release, cpuWith(['fpu', 'sse', 'sse2', 'pni']))
  assert.ok(!old.ok && /lacks cx16, lahf_lm, popcnt, sse4_1, sse4_2, ssse3/.test(old.reason) && /x86-64-v2/.test(old.reason), JSON.stringify(old))
  assert.ok(chooseBuild(release, { arch: 'arm64', flags: undefined }).ok)
})

test('each build loads on the CPU it was picked for and computes a product', () => {
  const host = hostCpu()
  for (const flags of [X86_64_V2, X86_64_V3, X86_64_V4]) {
    // Load only what this machine can run (a v4 build on a CPU without AVX-512 would SIGILL).
    if (host.flags !== undefined && !flags.every((f) => host.flags?.has(f))) continue
    const r = loadAddonAt(packageDir, cpuWith(flags))
    assert.ok(r.ok, r.ok ? '' : r.reason)
    const out = new Float32Array(1)
    r.addon.matMul(out, Float32Array.of(1, 2), Float32Array.of(3, 4), [], [], [], 1, 1, 2, false, false)
    assert.equal(out[0], 11)
  }
})

test('on a CPU below the baseline the backend refuses to load, with a message, and the process lives', () => {
  const code = [
    "import * as tf from '@tensorflow/tfjs'",
    "import { registerNativeBackend } from '@jepa-ts/backend-native'",
    'const r = registerNativeBackend()',
    "console.log(JSON.stringify(r))",
    "await tf.setBackend('cpu')",
    'console.log(tf.add(1, 2).dataSync()[0])',
  ].join('\n')
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
    cwd: packageDir,
    env: { ...process.env, JEPA_NATIVE_CPU_FLAGS: 'fpu sse sse2 pni' },
  })
  assert.equal(r.signal, null, r.stderr)
  assert.equal(r.status, 0, r.stderr)
  const [first, second] = r.stdout.trim().split('\n')
  const result = JSON.parse(first ?? '{}') as { ok: boolean; reason?: string }
  assert.equal(result.ok, false)
  assert.match(result.reason ?? '', /this CPU lacks .*popcnt.*x86-64-v2/)
  assert.equal(second, '3')
})

const inWorker = (code: string): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true })
    w.once('message', resolve)
    w.once('error', reject)
  })

test('in a worker thread the loader refuses with a reason, and the addon itself refuses a second environment', async () => {
  assert.ok(loadAddon().ok, 'the main thread loads it first')
  const host = chooseBuild(release, hostCpu())
  assert.ok(host.ok)
  const loadedFile = host.file
  const viaLoader = await inWorker(`
    const { parentPort } = require('node:worker_threads')
    import('tsx/esm/api')
      .then(({ register }) => { register(); return import('@jepa-ts/backend-native') })
      .then((m) => parentPort.postMessage(m.registerNativeBackend()), (e) => parentPort.postMessage({ importFailed: String(e) }))
  `)
  assert.deepEqual(viaLoader, { ok: false, reason: WORKER_REASON })
  const direct = await inWorker(`
    const { parentPort } = require('node:worker_threads')
    try { require(${JSON.stringify(loadedFile)}); parentPort.postMessage('loaded') }
    catch (e) { parentPort.postMessage(String(e.message)) }
  `)
  assert.match(String(direct), /already loaded by another thread.*main thread only/)
})
