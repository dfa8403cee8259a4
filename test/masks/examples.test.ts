/**
 * Docs that run: every `@example` in packages/masks/src is executed as its own module, with the
 * package imports pointed at this checkout. An example fails the test if it throws or if one of its
 * `console.assert`s fails (they print "Assertion failed" instead of throwing).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const srcDir = join(root, 'packages/masks/src')
const imports: Record<string, string> = {
  '@jepa-ts/masks': pathToFileURL(join(srcDir, 'index.ts')).href,
  '@jepa-ts/masks/node': pathToFileURL(join(srcDir, 'node', 'index.ts')).href,
  '@jepa-ts/core': pathToFileURL(join(root, 'packages/core/src/index.ts')).href,
  'fp-ts/lib/Either.js': import.meta.resolve('fp-ts/lib/Either.js'),
}

const examplesOf = (text: string): string[] =>
  [...text.matchAll(/\/\*\*([\s\S]*?)\*\//g)].flatMap((m) => {
    const lines = m[1]!.split('\n').map((l) => l.replace(/^\s*\* ?/, ''))
    const at = lines.findIndex((l) => l.startsWith('@example'))
    if (at < 0) return []
    const body: string[] = []
    for (const l of lines.slice(at + 1)) {
      if (l.startsWith('@')) break
      body.push(l)
    }
    return [body.join('\n')]
  })

const dir = mkdtempSync(join(tmpdir(), 'masks-examples-'))
test.after(() => rmSync(dir, { recursive: true, force: true }))

const files = [...readdirSync(srcDir), ...readdirSync(join(srcDir, 'node')).map((f) => `node/${f}`)].filter((f) => f.endsWith('.ts')).sort()
const examples = files.flatMap((f) => examplesOf(readFileSync(join(srcDir, f), 'utf8')).map((code, i) => ({ file: f, i, code })))

test('the masks sources carry examples', () => assert.ok(examples.length >= 6, `found ${examples.length}`))

// One child process runs every example in turn (a tsx start-up per example would cost ~1 s each).
const written = examples.map((e) => {
  const code = e.code.replace(/from '([^']+)'/g, (whole, spec: string) => (imports[spec] === undefined ? whole : `from '${imports[spec]}'`))
  const path = join(dir, `${e.file.replace(/\W/g, '_')}_${e.i}.ts`)
  writeFileSync(path, `${code}\nexport {}\n`)
  return path
})
const runner = join(dir, 'run-all.mjs')
writeFileSync(
  runner,
  [
    `const files = ${JSON.stringify(written.map((p) => pathToFileURL(p).href))}`,
    'const results = []',
    'const original = console.assert',
    'for (const f of files) {',
    "  let log = ''",
    "  console.assert = (cond, ...rest) => { if (!cond) log += 'Assertion failed: ' + rest.join(' ') + ' ' }",
    "  try { await import(f) } catch (e) { log += 'threw: ' + String(e instanceof Error ? e.stack : e) }",
    '  console.assert = original',
    "  results.push({ ok: log === '', log })",
    '}',
    "process.stdout.write('RESULTS' + JSON.stringify(results))",
  ].join('\n'),
)
const run = spawnSync(process.execPath, ['--import', 'tsx', runner], { encoding: 'utf8', cwd: root, timeout: 120_000 })
const results = ((): Array<{ ok: boolean; log: string }> => {
  const at = run.stdout.lastIndexOf('RESULTS')
  return at < 0 ? [] : (JSON.parse(run.stdout.slice(at + 'RESULTS'.length)) as Array<{ ok: boolean; log: string }>)
})()

examples.forEach((e, n) => {
  test(`@example in packages/masks/src/${e.file} (#${e.i + 1}) runs`, () => {
    const r = results[n]
    assert.ok(r !== undefined, `the example runner failed: ${run.stderr}`)
    assert.ok(r.ok, `${e.file}: ${r.log}`)
  })
})
