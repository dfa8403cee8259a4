/**
 * The family examples run end to end (2 steps, batch 4, cpu, the tiny configs of examples/configs/):
 * config file → decode → data (Fashion-MNIST when installed, else synthetic shapes) → steps → metrics.
 * Also `examples/ijepa.ts --measure-masks` on the Fashion-MNIST preset prints the documented counts.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..', '..')
const run = (args: readonly string[]): string => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 })
  assert.equal(r.status, 0, `${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}

for (const [example, config] of [['examples/ijepa.ts', 'examples/configs/ijepa-tiny.json'], ['examples/ijepa-vc.ts', 'examples/configs/ijepa-tiny.json'], ['examples/mae.ts', 'examples/configs/mae-tiny.json']] as const) {
  test(`${example} trains 2 steps with ${config}`, () => {
    const out = run([example, '--config', config, '--steps', '2', '--batch', '4', '--backend', 'cpu'])
    const losses = [...out.matchAll(/^step \d+: loss ([0-9.e+-]+)/gm)].map((m) => Number(m[1]))
    assert.equal(losses.length, 2, `two step lines:\n${out}`)
    assert.ok(losses.every(Number.isFinite), `finite losses: ${losses}`)
  })
}

test('examples/ijepa.ts --measure-masks gives the 8×8 counts of docs/families.md', () => {
  assert.match(run(['examples/ijepa.ts', '--measure-masks']), /8×8 grid, multi-block-corrected: context 20\.5 tokens after the cut \(30\.2 before\), 10\.6 per target block/)
})

test('docs/families.md: each row’s line count is its file’s (wc -l)', () => {
  const rows = [...readFileSync(resolve(root, 'docs/families.md'), 'utf8').matchAll(/^\| ([^|]+) \| `(families\/[\w.-]+\.ts)` \|.*\| (\d+) \|$/gm)]
  assert.ok(rows.length >= 3, `found the family rows: ${rows.length}`)
  for (const [, family, file, count] of rows) {
    const lines = readFileSync(resolve(root, 'packages/ssl/src', file!), 'utf8').split('\n').length - 1
    assert.equal(Number(count), lines, `${family!.trim()}: docs say ${count} lines, ${file} has ${lines}`)
  }
})
