/**
 * `jepa serve` refuses what it must (item 4 of issue 17): files outside the runs folder by `..`,
 * encoded `..`, double encoding, absolute paths, symlinks out (4xx); absurd query values (400
 * naming the parameter); any method but GET/HEAD (405); and it never writes into the runs folder.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { startServer } from '../../../packages/cli/src/serve/server.ts'
import { SECRET, rawRequest, runsFolder, treeSnapshot } from './fixtures.ts'

const setup = async () => {
  const { root, outside } = runsFolder()
  symlinkSync(join(outside, 'secret.txt'), join(root, 'cmp', 'link-out.txt'))
  symlinkSync(outside, join(root, 'dir-out'))
  symlinkSync(join(root, 'cmp', 'results.json'), join(root, 'link-in.json'))
  const server = await startServer({ root, port: 0, dataPath: 'synthetic', trainSample: 16 })
  return { root, server }
}

test('paths that leave the runs folder are 4xx, and never show the file outside', async () => {
  const { server } = await setup()
  try {
    const cases: Array<[string, number]> = [
      ['/files/../outside/secret.txt', 403],
      ['/files/cmp/../../outside/secret.txt', 403],
      ['/files/%2e%2e/outside/secret.txt', 403],
      ['/files/%2E%2E%2Foutside%2Fsecret.txt', 403],
      ['/files/%252e%252e/outside/secret.txt', 400],
      ['/files//etc/passwd', 400],
      ['/files/%2Fetc%2Fpasswd', 400],
      ['/files/..%5coutside%5csecret.txt', 400],
      ['/files/cmp%00.json', 400],
      ['/files/%E0%A4%A', 400],
      ['/files/cmp/link-out.txt', 403],
      ['/files/dir-out/secret.txt', 403],
      ['/files/nope.json', 404],
      ['/files/cmp', 404],
      ['/../outside/secret.txt', 404],
      ['/api/metrics?run=..', 403],
      ['/api/metrics?run=../outside', 403],
      ['/api/metrics?run=%2E%2E%2Foutside', 403],
      ['/api/metrics?run=/tmp', 400],
      ['/api/metrics?run=dir-out', 403],
      ['/api/metrics?run=cmp/results.json', 400],
      ['/api/metrics?run=gone', 404],
      ['/api/attention?run=../outside', 403],
      ['/api/attention?run=dir-out', 403],
      ['/api/attention?run=cmp/a', 404],
      ['/api/metrics', 400],
    ]
    for (const [target, status] of cases) {
      const r = await rawRequest(server.port, target)
      assert.equal(r.status, status, `${target} → ${r.status} ${r.body}`)
      assert.ok(!r.body.includes(SECRET), `${target} does not leak the file`)
      assert.ok(typeof (JSON.parse(r.body) as { error: unknown }).error === 'string', `${target}: a JSON error message`)
    }
    // inside the folder, files and symlinks that stay inside are served
    assert.equal((await rawRequest(server.port, '/files/cmp/results.json')).status, 200)
    assert.equal((await rawRequest(server.port, '/files/link-in.json')).status, 200)
  } finally {
    await server.close()
  }
})

test('absurd query values are 400 with a message naming the parameter', async () => {
  const { server } = await setup()
  try {
    const cases: Array<[string, RegExp]> = [
      ['/api/neighbours?run=cmp/a&k=-3', /^k: expected an integer in 1\.\.32, got "-3"/],
      ['/api/neighbours?run=cmp/a&k=0', /^k: expected an integer/],
      ['/api/neighbours?run=cmp/a&k=1000000000000', /^k: /],
      ['/api/neighbours?run=cmp/a&k=abc', /^k: .*"abc"/],
      ['/api/neighbours?run=cmp/a&k=2.5', /^k: /],
      ['/api/neighbours?run=cmp/a&queries=1,x', /^queries: .*"x"/],
      ['/api/neighbours?run=cmp/a&queries=99999999', /^queries: expected integers in 0\.\./],
      [`/api/neighbours?run=cmp/a&queries=${Array.from({ length: 40 }, (_, i) => i).join(',')}`, /^queries: at most 16 values/],
      ['/api/image?split=train&index=-1', /^index: /],
      ['/api/image?split=train&index=1e3', /^index: /],
      ['/api/image?split=train&index=99999999', /^index: expected an integer in 0\.\./],
      ['/api/image?split=train', /^index: required/],
      ['/api/image?split=valid&index=0', /^split: expected one of train, test, got "valid"/],
      ['/api/image?split=test&index=0&scale=100', /^scale: /],
      ['/api/playground/images?split=train&count=0', /^count: expected an integer in 1\.\.5000, got "0"/],
      ['/api/playground/images?split=train&count=-5', /^count: /],
      ['/api/playground/images?split=train&count=5001', /^count: /],
      ['/api/playground/images?split=train', /^count: required/],
      ['/api/playground/images?split=..%2Fx&count=4', /^split: expected one of train, test/],
      ['/api/attention?run=cmp/a&block=-1', /^block: /],
      ['/api/attention?run=cmp/a&block=64', /^block: expected an integer in 0\.\.63/],
      ['/api/attention?run=cmp/a&step=0', /^step: /],
      ['/api/attention?run=cmp/a&index=99999999', /^index: expected an integer in 0\.\./],
      ['/api/attention?run=cmp/a&index=1.5', /^index: /],
      ['/api/metrics?run=cmp/a&from=abc', /^from: expected a cursor/],
      ['/api/metrics?run=cmp/a&from=-1.0', /^from: /],
      [`/api/metrics?run=${'a'.repeat(2000)}`, /^run: at most 1000 characters/],
    ]
    for (const [target, message] of cases) {
      const res = await fetch(`${server.url}${target.slice(1)}`)
      const body = (await res.json()) as { error: string }
      assert.equal(res.status, 400, `${target} → ${res.status} ${body.error}`)
      assert.match(body.error, message, target)
    }
  } finally {
    await server.close()
  }
})

test('the server is read-only: other methods are 405 and the runs folder is unchanged after every route', async () => {
  const { root, server } = await setup()
  try {
    const before = treeSnapshot(root)
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const r = await rawRequest(server.port, '/files/cmp/results.json', method)
      assert.equal(r.status, 405, method)
      assert.match(r.body, /read-only/)
    }
    for (const target of ['/', '/app.js', '/api/runs', '/api/metrics?run=cmp/a', '/api/neighbours?run=cmp/a', '/api/image?split=test&index=0', '/files/cmp/results.json', '/playground', '/playground.js', '/api/playground/images?split=test&count=4', '/api/attention?run=cmp/a']) {
      await rawRequest(server.port, target)
      await rawRequest(server.port, target, 'HEAD')
    }
    assert.deepEqual(treeSnapshot(root), before, 'nothing written, renamed or touched')
  } finally {
    await server.close()
  }
})

test('the server binds 127.0.0.1 by default and serves the page and the pinned chart libraries', async () => {
  const { server } = await setup()
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
    const page = await fetch(server.url)
    assert.equal(page.status, 200)
    const html = await page.text()
    for (const src of ['/vendor/vega.min.js', '/vendor/vega-lite.min.js', '/vendor/vega-embed.min.js', '/app.js']) {
      assert.ok(html.includes(`src="${src}"`), `the page loads ${src}`)
      const res = await fetch(`${server.url}${src.slice(1)}`)
      assert.equal(res.status, 200, src)
      assert.match(res.headers.get('content-type') ?? '', /javascript/)
    }
    assert.doesNotMatch(html, /https?:\/\/(?!vega\.github\.io)/, 'nothing loaded from another host')
    assert.equal((await fetch(`${server.url}vendor/vega.js`)).status, 404, 'only the listed vendor files')
  } finally {
    await server.close()
  }
})
