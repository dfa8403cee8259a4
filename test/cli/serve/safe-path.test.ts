/**
 * `pathSegments` refuses a client path before the file system is touched (the first of the two
 * checks; `resolveUnder`'s real-path comparison is the second, tested through the server in
 * security.test.ts), and `resolveUnder` keeps symlinks that stay inside.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { pathSegments, resolveUnder } from '../../../packages/cli/src/serve/safe-path.ts'

test('pathSegments: .., absolute paths, backslashes, NUL and double encoding are refused with their status', () => {
  const cases: Array<[string, number]> = [['..', 403], ['a/../b', 403], ['a/..', 403], ['/etc', 400], ['C:/x', 400], ['a\\b', 400], ['a\0', 400], ['%2e%2e', 400], ['%zz', 400]]
  for (const [path, status] of cases) {
    const r = pathSegments(path)
    assert.ok(E.isLeft(r) && r.left.status === status, `${JSON.stringify(path)} → ${JSON.stringify(r)}`)
  }
  assert.deepEqual(pathSegments('a/./b//c.json'), E.right(['a', 'b', 'c.json']))
  assert.deepEqual(pathSegments(''), E.right([]))
  assert.deepEqual(pathSegments('a..b/..c'), E.right(['a..b', '..c']), 'dots inside a name are fine')
})

test('resolveUnder: a symlink that stays inside resolves; one that leaves is 403; a missing path is 404', async () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'jepa-serve-path-')))
  mkdirSync(join(root, 'runs', 'a'), { recursive: true })
  writeFileSync(join(root, 'outside.txt'), 'x')
  symlinkSync(join(root, 'runs', 'a'), join(root, 'runs', 'alias'))
  symlinkSync(join(root, 'outside.txt'), join(root, 'runs', 'out'))
  const runs = join(root, 'runs')
  assert.deepEqual(await resolveUnder(runs, 'alias'), E.right(join(runs, 'a')))
  assert.deepEqual(await resolveUnder(runs, ''), E.right(runs))
  const out = await resolveUnder(runs, 'out')
  assert.ok(E.isLeft(out) && out.left.status === 403)
  const missing = await resolveUnder(runs, 'nope')
  assert.ok(E.isLeft(missing) && missing.left.status === 404)
  // a sibling folder whose name starts with the root's is still outside
  mkdirSync(join(root, 'runs-other'))
  symlinkSync(join(root, 'runs-other'), join(runs, 'sibling'))
  const sibling = await resolveUnder(runs, 'sibling')
  assert.ok(E.isLeft(sibling) && sibling.left.status === 403, 'runs-other is not under runs')
})
