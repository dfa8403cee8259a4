/**
 * The docs' examples run: every ```ts block of README.md and docs/*.md (except blocks fenced as
 * ```ts no-run) is written to .doc-examples/, type-checked with the repo's tsconfig, and executed.
 * A failing example fails the test and names the file and line of its block. Node's
 * `console.assert` only prints on a false condition, so each example runs with a preload that makes
 * it throw: a false assertion in a doc example fails this test.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..', '..')
const outDir = join(root, '.doc-examples')

interface Example {
  readonly source: string
  readonly line: number
  readonly code: string
  readonly file: string
}

const collect = (): Example[] => {
  const docs = ['README.md', ...(existsSync(join(root, 'docs')) ? readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`) : [])]
  const examples: Example[] = []
  for (const source of docs) {
    const lines = readFileSync(join(root, source), 'utf8').split('\n')
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]!.trim() !== '```ts') continue
      const start = i + 1
      let end = start
      while (end < lines.length && lines[end]!.trim() !== '```') end++
      const name = `${source.replace(/[^A-Za-z0-9]+/g, '_')}_L${start}.ts`
      examples.push({ source, line: start, code: lines.slice(start, end).join('\n'), file: join(outDir, name) })
      i = end
    }
  }
  return examples
}

const examples = collect()
rmSync(outDir, { recursive: true, force: true })
mkdirSync(outDir, { recursive: true })
for (const e of examples) writeFileSync(e.file, `// from ${e.source}:${e.line}\n${e.code}\nexport {}\n`)
/** Preloaded before every example: a false `console.assert` throws instead of printing. */
const strictAssert = join(outDir, 'strict-assert.mjs')
writeFileSync(
  strictAssert,
  [
    "console.assert = (condition, ...data) => {",
    "  if (!condition) throw new Error(`console.assert failed: ${data.map(String).join(' ') || '(no message)'}`)",
    '}',
    '',
  ].join('\n'),
)
writeFileSync(
  join(outDir, 'tsconfig.json'),
  JSON.stringify({ extends: '../tsconfig.json', include: ['./*.ts'], compilerOptions: { noUnusedLocals: false } }, null, 2),
)

test(`docs examples type-check (${examples.length} blocks)`, () => {
  const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', join(outDir, 'tsconfig.json')], { encoding: 'utf8' })
  assert.equal(r.status, 0, `tsc failed on the docs' examples:\n${r.stdout}${r.stderr}`)
})

for (const e of examples) {
  test(`example ${e.source}:${e.line} runs`, () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', strictAssert, e.file], { encoding: 'utf8', cwd: root, timeout: 120_000, env: { ...process.env, JEPA_BACKEND: process.env.JEPA_BACKEND ?? 'cpu' } })
    assert.equal(r.status, 0, `example at ${e.source}:${e.line} failed:\n${r.stdout}\n${r.stderr}`)
    assert.doesNotMatch(r.stderr, /Assertion failed|console\.assert failed/, `example at ${e.source}:${e.line} printed a failed assertion:\n${r.stderr}`)
  })
}
