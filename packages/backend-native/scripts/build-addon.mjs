#!/usr/bin/env node
// Builds the native addon with node-gyp during `pnpm install` (three builds, see binding.gyp: an
// x86-64-v2 baseline, an x86-64-v3 and an x86-64-v4 one, never -march=native), and never fails the install:
// on any failure (no compiler, no OpenBLAS, no Node headers) it writes the one-line reason to
// build/BUILD_FAILED.txt and exits 0, so the runtime can fall back to wasm and say why.
// Offline builds: node-gyp is pointed at the headers next to the running node (`--nodedir`),
// e.g. /usr/include/node for Debian's nodejs, instead of downloading them.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const buildDir = join(pkgDir, 'build')
const failedFile = join(buildDir, 'BUILD_FAILED.txt')
// The portable baseline build (x86-64-v2 on x64), the x86-64-v3 one (AVX2/FMA) and the x86-64-v4 one
// (AVX-512); src/cpu.ts picks.
const ADDON_FILES = ['jepa_native.node', 'jepa_native_v3.node', 'jepa_native_v4.node']

const fail = (reason) => {
  mkdirSync(buildDir, { recursive: true })
  // A stale addon from an earlier build must not outlive the reason we record.
  for (const f of ADDON_FILES) rmSync(join(buildDir, 'Release', f), { force: true })
  writeFileSync(failedFile, `${reason}\n`)
  console.warn(`@jepa-ts/backend-native: native addon not built (${reason}); the wasm backend will be used`)
  process.exit(0)
}

try {
  if (process.env.JEPA_NATIVE_SKIP_BUILD === '1') fail('JEPA_NATIVE_SKIP_BUILD=1')
  const pc = spawnSync('pkg-config', ['--exists', 'openblas'])
  if (pc.error !== undefined || pc.status !== 0) {
    fail(pc.error !== undefined ? 'pkg-config not found (install pkg-config and libopenblas-dev)' : 'OpenBLAS not found by pkg-config (install libopenblas-dev)')
  }
  const require = createRequire(import.meta.url)
  let gyp
  try {
    gyp = require.resolve('node-gyp/bin/node-gyp.js')
  } catch {
    fail('node-gyp is not installed')
  }
  const args = [gyp, 'rebuild']
  const localHeaders = resolve(dirname(process.execPath), '..')
  if (existsSync(join(localHeaders, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${localHeaders}`)
  const r = spawnSync(process.execPath, args, { cwd: pkgDir, encoding: 'utf8', env: { ...process.env, JOBS: '2' } })
  if (r.error !== undefined) fail(`node-gyp could not start: ${r.error.message}`)
  if (r.status !== 0) {
    const text = `${r.stdout ?? ''}\n${r.stderr ?? ''}`
    const firstError = text.split('\n').find((l) => /error|not found|No such file/i.test(l)) ?? `node-gyp exited with ${r.status}`
    mkdirSync(buildDir, { recursive: true })
    writeFileSync(join(buildDir, 'build.log'), text)
    fail(`node-gyp rebuild failed: ${firstError.trim().slice(0, 200)}`)
  }
  for (const f of ADDON_FILES) if (!existsSync(join(buildDir, 'Release', f))) fail(`node-gyp finished but build/Release/${f} is missing`)
  rmSync(failedFile, { force: true })
} catch (e) {
  fail(`build script error: ${e instanceof Error ? e.message : String(e)}`)
}
