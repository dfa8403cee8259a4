/**
 * Importing `@jepa-ts/ssl` (the families) loads neither sharp nor cli-progress: its import graph
 * stays on the browser-safe side (train's root, not `@jepa-ts/train/node`; no `@jepa-ts/data`).
 * The same probe sees both libraries when it imports `@jepa-ts/train/node`, so it can fail.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'

const child = resolve(import.meta.dirname, 'import-weight-child.ts')

const loadedBy = (spec: string): string[] => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', child, spec], { encoding: 'utf8', cwd: resolve(import.meta.dirname, '..', '..'), timeout: 120_000 })
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout) as string[]
}

test('importing @jepa-ts/ssl loads neither sharp nor cli-progress', () => {
  assert.deepEqual(loadedBy('@jepa-ts/ssl'), [])
})

test('the probe sees them where they are imported (@jepa-ts/train/node)', () => {
  assert.deepEqual(loadedBy('@jepa-ts/train/node').sort(), ['cli-progress', 'sharp'])
})
