/**
 * The packages work from another project: `pnpm build` compiles every package to ESM JavaScript and
 * .d.ts (tsc project references, tsconfig.build.json), `pnpm pack` packs core, ops, nn, masks,
 * train, ssl and data (their `publishConfig.exports` point the tarballs at dist/; the workspace keeps
 * running from src/), and a fresh project outside the workspace installs the tarballs offline —
 * `pnpm install --offline`, each @jepa-ts package from its tarball, the third-party ones
 * (@tensorflow/tfjs, fp-ts, io-ts, sharp, cli-progress) linked to the workspace's installed copies,
 * so nothing is downloaded. Then test/architecture/fixtures/consumer.ts is type-checked against the
 * installed .d.ts, compiled, and run by plain node (no tsx): it declares a model, inits it and runs
 * a training step on the cpu backend, and one step of a family. The native addon package
 * (node-gyp built) is left out: the consumer runs on cpu.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..', '..')
const PACKED = ['core', 'ops', 'nn', 'masks', 'train', 'ssl', 'data'] as const

/** Runs a command; throws with its output unless it exits 0. */
const run = (command: string, args: readonly string[], cwd: string): string => {
  // the consumer is not part of this workspace: no pnpm settings of the test run leak into it
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_)/i.test(k)))
  const r = spawnSync(command, [...args], { cwd, encoding: 'utf8', env: { ...env, TF_CPP_MIN_LOG_LEVEL: '2' } })
  assert.equal(r.status, 0, `${command} ${args.join(' ')} in ${cwd}:\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}

interface Manifest {
  readonly name: string
  readonly version?: string
  readonly dependencies?: Record<string, string>
  readonly exports?: Record<string, unknown>
  readonly publishConfig?: { readonly exports?: Record<string, { readonly types: string; readonly import: string }> }
}
const manifest = (pkg: string): Manifest => JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8')) as Manifest

test('every package builds to dist/ and its packed exports point there', () => {
  run('pnpm', ['build'], root)
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const m = manifest(pkg)
    const published = m.publishConfig?.exports
    assert.ok(published !== undefined, `${m.name}: publishConfig.exports`)
    assert.deepEqual(Object.keys(published), Object.keys(m.exports ?? {}), `${m.name}: every subpath is published`)
    for (const [sub, target] of Object.entries(published)) {
      for (const file of [target.types, target.import]) {
        assert.match(file, /^\.\/dist\//, `${m.name} ${sub}`)
        assert.doesNotThrow(() => readFileSync(join(root, 'packages', pkg, file)), `${m.name} ${sub}: ${file} is built`)
      }
    }
  }
})

test('the packed packages install offline into a project outside the workspace, type-check, and train a step on cpu with plain node', () => {
  const work = mkdtempSync(join(tmpdir(), 'jepa-pack-'))
  const packs = join(work, 'packs')
  mkdirSync(packs)
  const tarballs = new Map<string, string>()
  for (const pkg of PACKED) {
    run('pnpm', ['pack', '--pack-destination', packs], join(root, 'packages', pkg))
    tarballs.set(`@jepa-ts/${pkg}`, `file:${join(packs, `jepa-ts-${pkg}-${manifest(pkg).version ?? '0.1.0'}.tgz`)}`)
  }
  // third-party dependencies: linked to the workspace's installed copies (their own dependencies resolve beside them)
  const links = new Map<string, string>()
  for (const pkg of PACKED) {
    for (const dep of Object.keys(manifest(pkg).dependencies ?? {})) {
      if (!dep.startsWith('@jepa-ts/') && !links.has(dep)) links.set(dep, `link:${realpathSync(join(root, 'packages', pkg, 'node_modules', dep))}`)
    }
  }
  const project = join(work, 'consumer')
  mkdirSync(project)
  const overrides = Object.fromEntries([...tarballs, ...links])
  writeFileSync(join(project, 'package.json'), JSON.stringify({
    name: 'jepa-consumer', private: true, type: 'module',
    dependencies: { '@jepa-ts/core': tarballs.get('@jepa-ts/core'), '@jepa-ts/nn': tarballs.get('@jepa-ts/nn'), '@jepa-ts/train': tarballs.get('@jepa-ts/train'), '@jepa-ts/ssl': tarballs.get('@jepa-ts/ssl'), '@tensorflow/tfjs': links.get('@tensorflow/tfjs') },
    pnpm: { overrides },
  }, null, 2))
  run('pnpm', ['install', '--offline'], project)
  for (const pkg of ['core', 'nn', 'train', 'ssl']) {
    const installed = realpathSync(join(project, 'node_modules', '@jepa-ts', pkg))
    assert.ok(installed.startsWith(realpathSync(project)), `@jepa-ts/${pkg} is installed from its tarball (${installed}), not linked to the workspace`)
    const m = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Manifest
    assert.deepEqual(Object.values(m.exports ?? {}).map((e) => (e as { import: string }).import.startsWith('./dist/')), Object.keys(m.exports ?? {}).map(() => true), `@jepa-ts/${pkg}: the packed exports point at dist`)
    assert.ok(Object.values(m.dependencies ?? {}).every((v) => !v.startsWith('workspace:')), `@jepa-ts/${pkg}: workspace: versions are replaced`)
  }
  copyFileSync(join(root, 'test', 'architecture', 'fixtures', 'consumer.ts'), join(project, 'consumer.ts'))
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'], types: [], strict: true, skipLibCheck: true, outDir: 'out' },
    files: ['consumer.ts'],
  }))
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], project)
  const out = run(process.execPath, [join('out', 'consumer.js')], project)
  const result = JSON.parse(out.split('\n').find((l) => l.startsWith('{')) ?? '{}') as { backend?: string; before?: number; after?: number; family?: string; familyLoss?: number }
  assert.equal(result.backend, 'cpu')
  assert.ok(result.after! < result.before!, `one step lowered the loss: ${out}`)
  assert.equal(result.family, 'simsiam')
  assert.ok(Number.isFinite(result.familyLoss), out)
})
