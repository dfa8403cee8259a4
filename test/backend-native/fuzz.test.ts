/**
 * The native boundary cannot crash the process: fuzz-child.ts (run in a child process, so a crash
 * — SIGSEGV, SIGABRT from an escaped C++ exception, SIGILL — fails this test instead of killing
 * the runner) calls every addon function with valid random arguments, comparing its outputs with
 * tfjs's cpu backend, and with one corrupted argument, expecting a thrown JS error.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ADDON_FUNCTIONS } from '../../packages/backend-native/src/addon-types.ts'

const child = fileURLToPath(new URL('./fuzz-child.ts', import.meta.url))

test('every native kernel: random valid calls equal the cpu result, corrupted calls throw, nothing crashes', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } })
  assert.equal(r.signal, null, `the fuzz child died of ${r.signal}:\n${r.stderr.slice(-4000)}`)
  assert.equal(r.status, 0, `the fuzz child failed:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-6000)}`)
  const last = r.stdout.trim().split('\n').at(-1) ?? ''
  const stats: Record<string, { compared: number; rejected: number }> = JSON.parse(last)
  // Not kernels: info, the test hook, and setThreads (its boundary is checked in threads.test.ts).
  for (const fn of ADDON_FUNCTIONS.filter((f) => f !== 'info' && f !== 'throwForTest' && f !== 'setThreads')) {
    const s = stats[fn]
    assert.ok(s !== undefined && s.compared > 0 && s.rejected > 0, `${fn} fuzzed both ways: ${JSON.stringify(s)}`)
  }
})
