/**
 * The import rules of docs/architecture.md, enforced by scanning every package's sources and
 * package.json: each workspace package imports only the workspace packages its rule allows; a
 * browser-safe file (every file of core, ops, nn, masks, ssl, eval and train outside their
 * node-side files) imports only allowed package roots (never a `/node` subpath), `@tensorflow/tfjs`,
 * fp-ts, io-ts and browser-safe files of its own package; only `@jepa-ts/engine` imports
 * `@jepa-ts/backend-native`; every package declares in its package.json the packages its sources
 * import (a packed package installs only those: test/architecture/pack-install.test.ts). A new package fails the test until it has a rule here (and a line in
 * docs/architecture.md).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { builtinModules } from 'node:module'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..', '..')

interface Rule {
  /** Workspace packages it may import (`@jepa-ts/<name>`, and their `/node` subpaths from node-side files). */
  readonly may: readonly string[]
  /** Its node-side files (paths under the package's src folder, a trailing `/` for a folder); `'all'` for a node-only package. */
  readonly nodeSide: readonly string[] | 'all'
}

const TRAIN_NODE = ['node.ts', 'run-dir.ts', 'checkpoint.ts', 'metrics-log.ts', 'progress.ts', 'resume.ts', 'loop.ts', 'run-lock.ts', 'snapshots.ts']

export const RULES: Readonly<Record<string, Rule>> = {
  core: { may: [], nodeSide: ['node/'] },
  ops: { may: [], nodeSide: [] },
  nn: { may: ['core', 'ops'], nodeSide: [] },
  masks: { may: ['core'], nodeSide: ['node/'] },
  train: { may: ['core', 'ops', 'data'], nodeSide: TRAIN_NODE },
  ssl: { may: ['core', 'ops', 'nn', 'masks', 'train'], nodeSide: [] },
  eval: { may: ['core', 'ops', 'data', 'train'], nodeSide: ['node/'] },
  data: { may: ['core'], nodeSide: 'all' },
  laws: { may: ['core', 'masks', 'nn', 'train'], nodeSide: 'all' },
  'backend-native': { may: ['ops'], nodeSide: 'all' },
  engine: { may: ['backend-native'], nodeSide: 'all' },
  cli: { may: ['core', 'ops', 'nn', 'masks', 'train', 'ssl', 'eval', 'data', 'engine'], nodeSide: 'all' },
}

/** Third-party modules a browser-safe file may import. */
const BROWSER_LIBS = [/^@tensorflow\/tfjs$/, /^fp-ts(\/|$)/, /^io-ts(\/|$)/]

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((e) => {
    const p = join(dir, e)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
  })

/** The module specifiers a source imports or re-exports (comments, where the @examples live, stripped). */
export const importsOf = (source: string): string[] => {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  return [...code.matchAll(/\bfrom\s+'([^']+)'|\bimport\s*\(\s*'([^']+)'\s*\)|^\s*import\s+'([^']+)'/gm)].map((m) => m[1] ?? m[2] ?? m[3]!)
}

const isNodeSide = (rule: Rule, rel: string): boolean => rule.nodeSide === 'all' || rule.nodeSide.some((p) => (p.endsWith('/') ? rel.startsWith(p) : rel === p))

/** Every violation in one package, as `file: import — why`. */
export const violations = (name: string, rule: Rule, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): string[] => {
  const dir = join(root, 'packages', name)
  const out: string[] = []
  for (const file of files(join(dir, 'src'))) {
    const rel = relative(join(dir, 'src'), file)
    const nodeSide = isNodeSide(rule, rel)
    for (const spec of importsOf(read(file))) {
      const ws = /^@jepa-ts\/([a-z-]+)(\/node)?$/.exec(spec)
      if (spec.startsWith('@jepa-ts/') && ws === null) out.push(`${rel}: ${spec} — not a package entry`)
      else if (ws !== null) {
        const [, pkg, sub] = ws
        if (pkg !== name && !rule.may.includes(pkg!)) out.push(`${rel}: ${spec} — ${name} may not import @jepa-ts/${pkg}`)
        else if (sub !== undefined && !nodeSide) out.push(`${rel}: ${spec} — a browser-safe file may not import a /node subpath`)
      } else if (spec.startsWith('.')) {
        const target = relative(join(dir, 'src'), resolve(dirname(file), spec))
        if (!nodeSide && isNodeSide(rule, target)) out.push(`${rel}: ${spec} — a browser-safe file may not import the node-side ${target}`)
      } else if (!nodeSide && !BROWSER_LIBS.some((r) => r.test(spec))) out.push(`${rel}: ${spec} — not allowed in a browser-safe file`)
    }
  }
  const deps = Object.keys((JSON.parse(read(join(dir, 'package.json'))) as { dependencies?: Record<string, string> }).dependencies ?? {})
  for (const d of deps) {
    const pkg = /^@jepa-ts\/(.+)$/.exec(d)?.[1]
    if (pkg !== undefined && !rule.may.includes(pkg)) out.push(`package.json: depends on ${d} — ${name} may not import it`)
  }
  return out
}

test('every package has an import rule', () => {
  const packages = readdirSync(join(root, 'packages')).filter((p) => statSync(join(root, 'packages', p)).isDirectory()).sort()
  assert.deepEqual(packages, Object.keys(RULES).sort())
})

test('every package imports only what its rule allows (sources and package.json)', () => {
  const all = Object.entries(RULES).flatMap(([name, rule]) => violations(name, rule))
  assert.deepEqual(all, [])
})

/** The packages a package's sources import that its package.json does not declare (a packed package installs only what it declares). */
export const undeclared = (name: string, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): string[] => {
  const dir = join(root, 'packages', name)
  const deps = new Set(Object.keys((JSON.parse(read(join(dir, 'package.json'))) as { dependencies?: Record<string, string> }).dependencies ?? {}))
  const out = new Set<string>()
  for (const file of files(join(dir, 'src'))) {
    for (const spec of importsOf(read(file))) {
      if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!
      if (pkg !== `@jepa-ts/${name}` && !deps.has(pkg)) out.add(`${relative(join(dir, 'src'), file)}: ${spec} — ${pkg} is not in packages/${name}/package.json's dependencies`)
    }
  }
  return [...out]
}

test('every package declares the packages its sources import', () => {
  assert.deepEqual(Object.keys(RULES).flatMap((name) => undeclared(name)), [])
  const real = (p: string): string => readFileSync(p, 'utf8')
  const injected = undeclared('nn', (p) => (p.endsWith(join('packages', 'nn', 'src', 'linear.ts')) ? `import * as t from 'io-ts'\n${real(p)}` : real(p)))
  assert.ok(injected.some((m) => /^linear\.ts: io-ts — io-ts is not in packages\/nn\/package\.json/.test(m)), `the check can fail: ${injected.join('; ')}`)
})

test('only @jepa-ts/engine imports the native backend', () => {
  assert.deepEqual(Object.entries(RULES).filter(([, r]) => r.may.includes('backend-native')).map(([n]) => n), ['engine'])
})

test('the scan can fail: a node import, a /node subpath, a disallowed package and a node-side relative import are each reported', () => {
  const real = (p: string): string => readFileSync(p, 'utf8')
  const inject = (target: string, line: string) => (p: string): string => (p.endsWith(target) ? `${line}\n${real(p)}` : real(p))
  const cases: ReadonlyArray<readonly [string, string, string, RegExp]> = [
    ['ssl', 'ema.ts', `import { readFileSync } from 'node:fs'`, /^ema\.ts: node:fs — not allowed in a browser-safe file/],
    ['ssl', 'ema.ts', `import { train } from '@jepa-ts/train/node'`, /a browser-safe file may not import a \/node subpath/],
    ['nn', 'linear.ts', `import { registerNativeBackend } from '@jepa-ts/backend-native'`, /nn may not import @jepa-ts\/backend-native/],
    ['train', 'family.ts', `import { train } from './loop.ts'`, /may not import the node-side loop\.ts/],
  ]
  for (const [pkg, file, line, expected] of cases) {
    const v = violations(pkg, RULES[pkg]!, inject(join('packages', pkg, 'src', file), line))
    assert.ok(v.some((m) => expected.test(m)), `${pkg}/${file} with "${line}": ${v.join('; ') || 'no violation'}`)
  }
})
