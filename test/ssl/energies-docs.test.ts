/** Docs that run: every ```ts block of docs/energies.md is executed (node + tsx) and must exit 0. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const doc = readFileSync(new URL('../../docs/energies.md', import.meta.url), 'utf8')
const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!)

test('docs/energies.md has a runnable example and it runs', () => {
  assert.ok(blocks.length >= 1, 'no ```ts block in docs/energies.md')
  mkdirSync(join(root, '.doc-examples'), { recursive: true })
  for (const [i, code] of blocks.entries()) {
    // A .ts file, not `-e`: tsx strips type annotations from files only.
    const file = join(root, '.doc-examples', `energies-check-${i}.ts`)
    writeFileSync(file, `${code}\nexport {}\n`)
    const run = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } })
    assert.equal(run.status, 0, `example failed:\n${run.stderr}`)
    const mae = /^mae (\S+)$/m.exec(run.stdout)
    assert.ok(mae !== null && Math.abs(Number(mae[1]) - 15 / 16) < 1e-5, `expected "mae 0.9375" in:\n${run.stdout}`)
    assert.match(run.stdout, /^step 1 lr 0\.00028\d* momentum 0\.996$/m)
  }
})
