#!/usr/bin/env node
// The README's test command: type-check everything (type tests included), then run every
// test/**/*.test.ts with node's test runner under tsx. Arguments narrow the run to files or folders.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const args = process.argv.slice(2).filter((a) => a !== '--')
const roots = args.length > 0 ? args : ['test']
const files = []
const walk = (p) => {
  if (statSync(p).isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e))
  else if (p.endsWith('.test.ts')) files.push(p)
}
for (const r of roots) walk(r)

if (!['1', 'true', 'yes'].includes(process.env.SKIP_TYPECHECK ?? '')) {
  console.log('› tsc --noEmit (sources, tests, type tests, examples)')
  const tsc = spawnSync('pnpm', ['exec', 'tsc', '--noEmit', '-p', 'tsconfig.json'], { stdio: 'inherit' })
  if (tsc.status !== 0) process.exit(tsc.status ?? 1)
}
console.log(`› node --test (${files.length} files)`)
const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...files],
  { stdio: 'inherit', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } },
)
process.exit(run.status ?? 1)
