/**
 * The server survives its runs folder changing under it: a metrics line being written, a run
 * directory deleted between requests or during a walk, a results.json that is not (yet) JSON.
 * Each case is a 200 with what can be read, or a 404 — never a crash or a 500.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startServer } from '../../../packages/cli/src/serve/server.ts'
import { metricsLine, results, runsFolder } from './fixtures.ts'

interface Chunk { records: Array<{ step: number }>; cursor: string; reset: boolean }

test('live metrics: a half-written line is skipped until complete, then arrives once', async () => {
  const { root } = runsFolder()
  const server = await startServer({ root, port: 0 })
  try {
    const get = async (from: string): Promise<Chunk> => {
      const res = await fetch(`${server.url}api/metrics?run=cmp/a&from=${from}`)
      assert.equal(res.status, 200)
      return (await res.json()) as Chunk
    }
    const first = await get('')
    assert.deepEqual(first.records.map((r) => r.step), [1, 2, 3])
    appendFileSync(join(root, 'cmp', 'a', 'metrics.jsonl'), metricsLine(4).slice(0, 10))
    const partial = await get(first.cursor)
    assert.deepEqual(partial.records, [])
    appendFileSync(join(root, 'cmp', 'a', 'metrics.jsonl'), metricsLine(4).slice(10) + metricsLine(5))
    const rest = await get(partial.cursor)
    assert.deepEqual(rest.records.map((r) => r.step), [4, 5])
  } finally {
    await server.close()
  }
})

test('a deleted run directory is a 404 and the server keeps serving', async () => {
  const { root } = runsFolder()
  const server = await startServer({ root, port: 0, dataPath: 'synthetic', trainSample: 16 })
  try {
    assert.equal((await fetch(`${server.url}api/metrics?run=cmp/a`)).status, 200)
    rmSync(join(root, 'cmp', 'a'), { recursive: true })
    for (const target of ['api/metrics?run=cmp/a', 'api/neighbours?run=cmp/a', 'files/cmp/a/metrics.jsonl']) {
      const res = await fetch(`${server.url}${target}`)
      assert.equal(res.status, 404, target)
      assert.match(((await res.json()) as { error: string }).error, /cmp\/a/)
    }
    mkdirSync(join(root, 'cmp', 'empty'))
    const empty = await fetch(`${server.url}api/metrics?run=cmp/empty`)
    assert.equal(empty.status, 404)
    assert.match(((await empty.json()) as { error: string }).error, /^run cmp\/empty: no metrics\.jsonl \(yet\)/)
    const runs = (await (await fetch(`${server.url}api/runs`)).json()) as { runs: Array<{ id: string }> }
    assert.deepEqual(runs.runs.map((r) => r.id), [])
    rmSync(root, { recursive: true })
    assert.equal((await fetch(`${server.url}api/runs`)).status, 200, 'even the runs folder vanishing leaves an empty listing')
  } finally {
    await server.close()
  }
})

test('run directories created and deleted while the server walks them never give a 500', async () => {
  const { root } = runsFolder()
  const server = await startServer({ root, port: 0 })
  try {
    let churning = true
    const churn = (async () => {
      for (let i = 0; churning; i++) {
        const dir = join(root, `churn-${i % 5}`, 'run')
        mkdirSync(dir, { recursive: true })
        writeFileSync(join(dir, 'metrics.jsonl'), metricsLine(1))
        writeFileSync(join(root, `churn-${i % 5}`, 'results.json'), JSON.stringify(results).slice(0, i % 7 === 0 ? 20 : undefined))
        await new Promise((r) => setTimeout(r, 2))
        rmSync(join(root, `churn-${(i + 2) % 5}`), { recursive: true, force: true })
      }
    })()
    for (let i = 0; i < 60; i++) {
      const targets = ['api/runs', `api/metrics?run=churn-${i % 5}/run`, `files/churn-${i % 5}/results.json`]
      for (const target of targets) {
        const res = await fetch(`${server.url}${target}`)
        assert.ok(res.status === 200 || res.status === 404, `${target} → ${res.status}: ${await res.text()}`)
      }
    }
    churning = false
    await churn
  } finally {
    await server.close()
  }
})

test('a results.json that is not valid JSON is listed with its error, beside the good tables', async () => {
  const { root } = runsFolder()
  mkdirSync(join(root, 'half'))
  writeFileSync(join(root, 'half', 'results.json'), '{"rows": [')
  const server = await startServer({ root, port: 0 })
  try {
    const found = (await (await fetch(`${server.url}api/runs`)).json()) as { tables: Array<{ id: string; kind: string; error?: string; rows: Array<{ method: string; baseline: boolean }> }> }
    const byId = Object.fromEntries(found.tables.map((t) => [t.id, t]))
    assert.match(byId['half']!.error ?? '', /^half\/results\.json: not valid JSON/)
    assert.deepEqual(byId['cmp']!.rows.map((r) => [r.method, r.baseline]), results.rows.map((r) => [r.method, r.method !== 'a: linear-ae (step 3)']))
    assert.equal(byId['sweep']!.kind, 'sweep')
    assert.deepEqual(byId['sweep']!.rows.map((r) => [r.method, r.baseline]), [['lr-0.1: mae (step 5)', false], ['random init (every recipe)', true], ['raw pixels', true]])
  } finally {
    await server.close()
  }
})
