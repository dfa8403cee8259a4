/**
 * Every repository path named in the docs (README.md, docs/*.md) and in the sources' comments
 * (.ts, .mjs, .py, .cc, .h, .sh under git) exists. A path is a word starting with one of the
 * repository's top-level folders (packages/, test/, docs/, tools/, bench/, examples/, scripts/) or
 * a package's own folders (src/, native/); it resolves against the repository root, the package
 * of the file naming it, or that file's folder. `*`, `**`, `{a,b}` and a placeholder `{name}` name a pattern that must
 * match at least one tracked file. Two short lists say which named paths are not ours: files of
 * the upstream facebookresearch/ijepa repository that comments cite, and files a command writes.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join, posix, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..', '..')

/** Paths of facebookresearch/ijepa (the I-JEPA reference) that comments cite as the source of a fact. */
const UPSTREAM = new Set(['src/train.py', 'src/helper.py', 'src/utils/schedulers.py', 'src/masks/multiblock.py', 'src/models/vision_transformer.py'])
/** Files written by a command, not tracked: the install's failure note and an example output path. */
const WRITTEN = new Set(['packages/backend-native/build/BUILD_FAILED.txt', 'docs/linear-top1.svg'])

// The segment after the folder starts with a name character (so `/test/.test(` in a regex is not a path).
const PATH = /(?<![\w./@-])((?:packages|test|docs|tools|bench|examples|scripts|native|src)\/[A-Za-z0-9_*{](?:[A-Za-z0-9_./*{},-]*[A-Za-z0-9_*}])?)/g
const SCANNED = /\.(md|ts|mjs|py|cc|h|sh)$/

const tracked = spawnSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).stdout.split('\n').filter((f) => f !== '')
const trackedAndDirs = (() => {
  const all = new Set<string>()
  for (const f of tracked) for (let p = f; p !== '.' && p !== ''; p = posix.dirname(p)) all.add(p)
  return [...all]
})()

const globToRegExp = (glob: string): RegExp => {
  let out = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!
    if (c === '*' && glob[i + 1] === '*') { out += '.*'; i++ }
    else if (c === '*') out += '[^/]*'
    else if (c === '{' && !/^\{[^},]*\}/.test(glob.slice(i))) out += '(?:'
    else if (c === '{') { out += '[^/]*'; i = glob.indexOf('}', i) } // a placeholder such as {name}
    else if (c === '}') out += ')'
    else if (c === ',' && out.includes('(?:')) out += '|'
    else out += c.replace(/[.+?^$()|[\]\\]/g, '\\$&')
  }
  // An unclosed brace (a path cut at the end of a line) becomes "anything".
  const open = (out.match(/\(\?:/g) ?? []).length - (out.match(/\)/g) ?? []).length
  return new RegExp(`^${out}${'.*)'.repeat(Math.max(0, open))}$`)
}

/** Candidate resolutions of `named` as written in `file` (repository-relative). */
const candidates = (named: string, file: string): string[] => {
  const parts = file.split('/')
  const pkg = parts[0] === 'packages' && parts.length > 2 ? `packages/${parts[1]}/` : undefined
  return [named, ...(pkg !== undefined ? [`${pkg}${named}`] : []), posix.normalize(posix.join(posix.dirname(file), named))]
}

/** True when `named` (as written in `file`) names something in the repository. */
export const pathExists = (named: string, file: string): boolean => {
  if (UPSTREAM.has(named) || WRITTEN.has(named)) return true
  return candidates(named, file).some((c) =>
    /[*{]/.test(c) ? trackedAndDirs.some((t) => globToRegExp(c).test(t)) : existsSync(join(root, c)),
  )
}

const missing = (): string[] => {
  const out: string[] = []
  for (const file of tracked) {
    if (!SCANNED.test(file) || !existsSync(join(root, file))) continue
    readFileSync(join(root, file), 'utf8').split('\n').forEach((line, i) => {
      for (const m of line.matchAll(PATH)) if (!pathExists(m[1]!, file)) out.push(`${file}:${i + 1}: ${m[1]}`)
    })
  }
  return out
}

test('the resolver flags a path that does not exist and accepts ones that do', () => {
  const absent = ['docs', 'no-such-page.md'].join('/')
  assert.equal(pathExists(absent, 'README.md'), false)
  assert.equal(pathExists(['test', 'ssl', 'no-such-*.test.ts'].join('/'), 'README.md'), false)
  assert.equal(pathExists('docs/performance.md', 'README.md'), true)
  const kernelsHeader = ['native', 'kernels.h'].join('/') // resolves inside backend-native only
  assert.equal(pathExists(kernelsHeader, 'packages/backend-native/src/addon.ts'), true)
  assert.equal(pathExists('test/ssl/ijepa*.test.ts', 'docs/families.md'), true)
  assert.equal(pathExists(kernelsHeader, 'docs/performance.md'), false)
})

test('every repository path named in the docs and the comments exists', () => {
  const bad = missing()
  assert.deepEqual(bad, [], `paths named but not found:\n${bad.join('\n')}`)
})
