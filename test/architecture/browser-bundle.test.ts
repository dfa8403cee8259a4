/**
 * The browser-safe packages really are: esbuild bundles `@jepa-ts/core`, `ops`, `nn`, `masks`,
 * `ssl`, `eval` and the browser half of `train` for `platform: 'browser'`, and the build fails on
 * any Node built-in (`node:fs`, `zlib`, …), on the native addon package or a `.node` file, on the
 * wasm backend, and on the Node-only libraries (sharp, cli-progress) — imported by our sources or,
 * unless its package.json maps them away for browsers, by a library. The metafile then confirms
 * no input came from those packages (so importing `@jepa-ts/ssl` cannot load sharp or cli-progress).
 * A fixture entry that imports a `/node` subpath must fail the same build, naming the import. The
 * playground page of `jepa serve` (packages/cli/src/serve/playground/) passes the same check.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { builtinModules } from 'node:module'
import { resolve } from 'node:path'
import * as esbuild from 'esbuild'

const root = resolve(import.meta.dirname, '..', '..')

/** What a browser bundle may not contain. */
const FORBIDDEN: readonly RegExp[] = [/^node:/, /^@jepa-ts\/backend-native/, /^@jepa-ts\/engine/, /^@jepa-ts\/data/, /^@jepa-ts\/cli/, /^@tensorflow\/tfjs-backend-wasm/, /^@tensorflow\/tfjs-node/, /^sharp$/, /^cli-progress$/, /\.node$/, /^@jepa-ts\/[a-z-]+\/node$/]
const BUILTINS = new Set(builtinModules)

const forbid: esbuild.Plugin = {
  name: 'forbid-node',
  setup(build) {
    // Our sources are checked here; a library's Node imports that its package.json "browser" field
    // does not map away fail esbuild's own resolution for platform 'browser'.
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.importer.includes('/node_modules/')) return undefined
      const bare = args.path
      const hit = FORBIDDEN.some((r) => r.test(bare)) || BUILTINS.has(bare) || BUILTINS.has(bare.split('/')[0]!)
      return hit ? { errors: [{ text: `browser bundle imports "${bare}" (from ${args.importer.replace(`${root}/`, '')})` }] } : undefined
    })
  },
}

const bundle = (contents: string): Promise<esbuild.BuildResult<{ metafile: true; write: false }>> =>
  esbuild.build({
    stdin: { contents, resolveDir: root, loader: 'ts', sourcefile: 'browser-entry.ts' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [forbid],
  })

const ENTRY = ['core', 'ops', 'nn', 'masks', 'ssl', 'eval', 'train'].map((p) => `export * as ${p} from '@jepa-ts/${p}'`).join('\n')

test('core, ops, nn, masks, ssl, eval and train (browser half) bundle for the browser with no Node import, addon or wasm backend', async () => {
  const r = await bundle(ENTRY)
  assert.deepEqual(r.errors, [])
  const inputs = Object.keys(r.metafile.inputs)
  for (const p of ['packages/core/src/index.ts', 'packages/ops/src/index.ts', 'packages/nn/src/index.ts', 'packages/masks/src/index.ts', 'packages/ssl/src/index.ts', 'packages/eval/src/index.ts', 'packages/train/src/index.ts']) {
    assert.ok(inputs.includes(p), `the bundle holds ${p}`)
  }
  const bad = inputs.filter((p) => /\/(sharp|cli-progress|tfjs-backend-wasm|backend-native)\/|\/node\/|\.node$/.test(p))
  assert.deepEqual(bad, [], 'no input of a Node-only package')
})

test('the check can fail: a /node subpath or a Node built-in in the bundle is an error naming the import', async () => {
  for (const [entry, named] of [
    [`export * from '@jepa-ts/core/node'`, '@jepa-ts/core/node'],
    [`export * from '@jepa-ts/train/node'`, '@jepa-ts/train/node'],
    [`import { deflateSync } from 'zlib'; export const z = deflateSync`, 'zlib'],
  ] as const) {
    await assert.rejects(bundle(entry), (e: unknown) => e instanceof Error && e.message.includes(`"${named}"`), entry)
  }
})

test("the playground page of jepa serve bundles for the browser from our browser-safe packages only", async () => {
  const r = await bundle(`import './packages/cli/src/serve/playground/page.ts'`)
  assert.deepEqual(r.errors, [])
  const inputs = Object.keys(r.metafile.inputs)
  for (const p of ['packages/ssl/src/index.ts', 'packages/train/src/index.ts', 'packages/eval/src/index.ts', 'packages/masks/src/index.ts']) assert.ok(inputs.includes(p), `the playground holds ${p}`)
  const ours = inputs.filter((p) => p.startsWith('packages/') && !/^packages\/(core|ops|nn|masks|ssl|train|eval)\/src\//.test(p) && !p.startsWith('packages/cli/src/serve/playground/'))
  assert.deepEqual(ours, [], 'no file of data, engine, cli (outside the playground folder) or backend-native')
})
