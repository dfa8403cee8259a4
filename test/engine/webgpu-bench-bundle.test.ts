/**
 * The GPU check up to the point a GPU is needed: bench/gpu-step.ts bundled by esbuild with the flags
 * of scripts/gpu-pack.sh (`webgpu` external, as the pack ships it beside the bundle) runs here on
 * SwiftShader — one tiny MAE step on webgpu, one table row naming the adapter — and the two
 * scripts parse. (The pack itself, with Node and dawn.node compressed, is built by
 * `scripts/gpu-pack.sh`; it takes minutes, so it is not part of the suite.)
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { SWIFTSHADER_ICD } from '@jepa-ts/engine'
import { tinyMaeInput } from '../ssl/mae-tiny.ts'

const root = resolve(import.meta.dirname, '..', '..')

test('the pack scripts parse, and the bundled bench runs a webgpu step on SwiftShader', () => {
  for (const s of ['scripts/gpu-pack.sh', 'scripts/device-check.sh']) {
    const r = spawnSync('bash', ['-n', join(root, s)], { encoding: 'utf8' })
    assert.equal(r.status, 0, `${s}: ${r.stderr}`)
  }
  const pack = readFileSync(join(root, 'scripts/gpu-pack.sh'), 'utf8')
  const flags = [...pack.matchAll(/--external:(\S+)/g)].map((m) => `--external:${m[1]!}`)
  assert.ok(flags.includes('--external:webgpu'), 'the pack keeps webgpu external')
  const banner = /--banner:js="([^"]+)"/.exec(pack)?.[1]
  assert.ok(banner !== undefined, 'the pack bundles with a require banner')

  const dir = mkdtempSync(join(tmpdir(), 'jepa-gpu-bundle-'))
  mkdirSync(join(dir, 'bench', 'node_modules'), { recursive: true })
  const webgpu = dirname(createRequire(join(root, 'packages/engine/package.json')).resolve('webgpu/package.json'))
  symlinkSync(webgpu, join(dir, 'bench', 'node_modules', 'webgpu'))
  const bundle = join(dir, 'bench', 'gpu-step.mjs')
  const esbuild = spawnSync('pnpm', ['exec', 'esbuild', 'bench/gpu-step.ts', '--bundle', '--platform=node', '--format=esm', '--target=node20', `--outfile=${bundle}`, '--log-level=warning', ...flags, `--banner:js=${banner}`], { cwd: root, encoding: 'utf8' })
  assert.equal(esbuild.status, 0, esbuild.stderr)

  const presets = join(dir, 'presets')
  mkdirSync(presets)
  writeFileSync(join(presets, 'mae-fashion.json'), JSON.stringify(tinyMaeInput))
  const run = spawnSync(process.execPath, [bundle, '--families', 'mae', '--batches', '2', '--warmup', '1', '--steps', '1', '--torch-device', 'none', '--presets', presets], {
    encoding: 'utf8',
    env: { ...process.env, VK_ICD_FILENAMES: SWIFTSHADER_ICD, XDG_RUNTIME_DIR: dir },
  })
  assert.equal(run.status, 0, run.stderr)
  assert.match(run.stdout, /^adapter: google \/ swiftshader \(software fallback\)/m)
  assert.match(run.stdout, /^\| mae \| 2 \| webgpu \(google \/ swiftshader \(software fallback\)\) \| \d+\.\d \| \d+\.\d \| — \|$/m, run.stdout)
})
