/**
 * Installation and registration never fail hard: the install script exits 0 and records a
 * one-line reason when the addon cannot build; loading reports that reason (or the loader's
 * error) instead of throwing; registering twice is harmless and makes `native` tfjs's
 * highest-priority backend.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { NATIVE_PRIORITY, loadAddonAt, registerNativeBackend } from '@jepa-ts/backend-native'

const script = new URL('../../packages/backend-native/scripts/build-addon.mjs', import.meta.url)

test('the install script exits 0 and records why when the toolchain is missing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jepa-native-'))
  try {
    mkdirSync(join(dir, 'scripts'))
    copyFileSync(script, join(dir, 'scripts', 'build-addon.mjs'))
    const r = spawnSync(process.execPath, [join(dir, 'scripts', 'build-addon.mjs')], { encoding: 'utf8', env: { PATH: join(dir, 'no-such-bin') } })
    assert.equal(r.status, 0, r.stderr)
    const reason = readFileSync(join(dir, 'build', 'BUILD_FAILED.txt'), 'utf8').trim()
    assert.match(reason, /pkg-config not found/)
    assert.equal(reason.split('\n').length, 1)
    assert.equal(loadAddonAt(dir).ok, false)
    const loaded = loadAddonAt(dir)
    assert.ok(!loaded.ok && loaded.reason === reason, 'the loader reports the recorded reason')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('loading reports, never throws: no build at all, or a file that is not an addon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jepa-native-'))
  try {
    const none = loadAddonAt(dir)
    assert.ok(!none.ok && /not built/.test(none.reason))
    mkdirSync(join(dir, 'build', 'Release'), { recursive: true })
    writeFileSync(join(dir, 'build', 'Release', 'jepa_native.node'), 'not an ELF file')
    const bad = loadAddonAt(dir)
    assert.ok(!bad.ok && /loading .* failed/.test(bad.reason), bad.ok ? '' : bad.reason)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('registerNativeBackend is idempotent and registers native above cpu and wasm', async () => {
  assert.deepEqual(registerNativeBackend(), { ok: true })
  assert.deepEqual(registerNativeBackend(), { ok: true })
  assert.ok(NATIVE_PRIORITY > 2)
  assert.ok(await tf.setBackend('native'))
  assert.equal(tf.getBackend(), 'native')
})
