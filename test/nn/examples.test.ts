/**
 * Docs that run: every `@example` in packages/nn/src and every ```ts block of docs/nn.md (not
 * marked `no-run`) is executed as its own module, with the package imports pointed at this
 * checkout. An example that throws fails the test. (Executed, not type-checked.)
 */
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as tf from '@tensorflow/tfjs'

await tf.setBackend('cpu')

const root = fileURLToPath(new URL('../../', import.meta.url))
const srcDir = join(root, 'packages/nn/src')

/** `@example` bodies of a source file (the comment lines after the tag, up to the next tag or the end). */
const examplesOf = (text: string): string[] => {
  const out: string[] = []
  for (const m of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const lines = m[1]!.split('\n').map((l) => l.replace(/^\s*\* ?/, ''))
    const at = lines.findIndex((l) => l.startsWith('@example'))
    if (at < 0) continue
    const body: string[] = []
    for (const l of lines.slice(at + 1)) {
      if (l.startsWith('@')) break
      body.push(l)
    }
    out.push(body.join('\n'))
  }
  return out
}

const docBlocks = (text: string): string[] => [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!)

const specifiers: Record<string, string> = {
  '@jepa-ts/nn': pathToFileURL(join(srcDir, 'index.ts')).href,
  '@jepa-ts/core': import.meta.resolve('@jepa-ts/core'),
  '@tensorflow/tfjs': import.meta.resolve('@tensorflow/tfjs'),
  'fp-ts/lib/Either.js': import.meta.resolve('fp-ts/lib/Either.js'),
}

const dir = mkdtempSync(join(tmpdir(), 'nn-examples-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const run = async (label: string, code: string): Promise<void> => {
  const rewritten = code.replace(/from '([^']+)'/g, (whole, spec: string) => {
    const target = specifiers[spec]
    assert.ok(target !== undefined, `${label}: unknown import '${spec}' in an example`)
    return `from '${target}'`
  })
  const file = join(dir, `${label.replace(/[^A-Za-z0-9]+/g, '_')}.mts`)
  writeFileSync(file, `${rewritten}\nexport {}\n`)
  await import(pathToFileURL(file).href)
}

const sources = readdirSync(srcDir).filter((f) => f.endsWith('.ts')).sort()

test('every exported layer file of @jepa-ts/nn carries an @example', () => {
  const missing = sources.filter((f) => !['index.ts', 'initializers.ts', 'scoped.ts'].includes(f) && examplesOf(readFileSync(join(srcDir, f), 'utf8')).length === 0)
  assert.deepEqual(missing, [])
})

test('the @examples of packages/nn/src run', async () => {
  let count = 0
  for (const f of sources) {
    for (const [i, ex] of examplesOf(readFileSync(join(srcDir, f), 'utf8')).entries()) {
      await run(`${f}#${i}`, ex)
      count++
    }
  }
  assert.ok(count >= 12, `only ${count} examples found`)
})

test('the ts blocks of docs/nn.md run', async () => {
  const blocks = docBlocks(readFileSync(join(root, 'docs/nn.md'), 'utf8'))
  assert.ok(blocks.length >= 2)
  for (const [i, b] of blocks.entries()) await run(`docs_nn_${i}`, b)
})
