/**
 * Nearest neighbours: the top-k law (best first, ties to the lower row, equal to a brute-force
 * ranking), and the route over a run trained by `jepa compare` on the synthetic shapes: k
 * neighbours per query, distinct train images, similarities sorted, raw-pixel neighbours equal to
 * a brute-force cosine search done here, thumbnails that are PNGs of the right size.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { toBatchArray } from '@jepa-ts/data'
import { runCompare } from '../../../packages/cli/src/commands/compare.ts'
import { loadSplit } from '../../../packages/cli/src/commands/train-dataset.ts'
import { fixedSample } from '@jepa-ts/eval/node'
import { normalizeRows, topK } from '../../../packages/cli/src/serve/neighbours.ts'
import { startServer } from '../../../packages/cli/src/serve/server.ts'
import { tinyConfig } from './fixtures.ts'

test('law: topK is the brute-force ranking by similarity, best first, ties to the lower row', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 15 }), fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 64, maxLength: 64 }), (n, d, k, pool) => {
      const train = normalizeRows({ values: Float32Array.from({ length: n * d }, (_, i) => pool[i % 64]!), shape: [n, d] })
      const query = normalizeRows({ values: Float32Array.from({ length: d }, (_, i) => pool[(i * 7 + 3) % 64]!), shape: [1, d] })
      const got = topK(train, query, 0, k)
      const dot = (i: number) => Array.from({ length: d }, (_, j) => train.values[i * d + j]! * query.values[j]!).reduce((a, b) => a + b, 0)
      const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => dot(b) - dot(a) || a - b).slice(0, k)
      assert.deepEqual(got.map(([i]) => i), expected)
    }),
    { numRuns: 200 },
  )
})

test('the neighbours route searches a trained run\'s encoder and raw pixels; thumbnails are PNGs', async () => {
  const base = mkdtempSync(join(tmpdir(), 'jepa-serve-nn-'))
  const configPath = join(base, 'tiny.json')
  writeFileSync(configPath, JSON.stringify(tinyConfig))
  const root = join(base, 'runs')
  const quiet = { out: () => {}, err: () => {} }
  assert.equal(await runCompare([configPath], { budgetSteps: 2, out: join(root, 'cmp'), backend: 'cpu', data: 'synthetic', limit: 48, probeEpochs: 1, attentiveEpochs: 0 }, quiet), 0)
  const trainSample = 40
  const server = await startServer({ root, port: 0, dataPath: 'synthetic', trainSample })
  try {
    const k = 5
    const res = await fetch(`${server.url}api/neighbours?run=cmp/tiny&k=${k}&queries=3,0,17`)
    const body = (await res.json()) as { family: string; step: number; trainSample: number; queries: Array<{ test: number; label: string; encoder: Array<{ train: number; similarity: number }>; pixels: Array<{ train: number; similarity: number }> }> }
    assert.equal(res.status, 200, JSON.stringify(body))
    assert.equal(body.family, 'linear-ae')
    assert.equal(body.step, 2)
    assert.equal(body.trainSample, trainSample)
    assert.deepEqual(body.queries.map((q) => q.test), [3, 0, 17])
    const train = loadSplit('train', 'synthetic')
    const test = loadSplit('test', 'synthetic')
    assert.ok(E.isRight(train) && E.isRight(test))
    const sample = Array.from(fixedSample(train.right.dataset, trainSample, 'serve-train'))
    const pixels = (ds: typeof train.right.dataset, idx: number[]) => {
      const { data } = toBatchArray(ds, idx)
      const d = data.length / idx.length
      return normalizeRows({ values: Float32Array.from(data), shape: [idx.length, d] })
    }
    const trainPixels = pixels(train.right.dataset, sample)
    for (const q of body.queries) {
      for (const list of [q.encoder, q.pixels]) {
        assert.equal(list.length, k)
        assert.equal(new Set(list.map((n) => n.train)).size, k, 'distinct train images')
        for (const n of list) assert.ok(sample.includes(n.train), 'from the train sample')
        for (let i = 1; i < k; i++) assert.ok(list[i - 1]!.similarity >= list[i]!.similarity, 'best first')
        for (const n of list) assert.ok(n.similarity <= 1 + 1e-5 && n.similarity >= -1 - 1e-5, 'a cosine')
      }
      const expected: number[] = topK(trainPixels, pixels(test.right.dataset, [q.test]), 0, k).map(([row]) => sample[row]!)
      assert.deepEqual(q.pixels.map((n) => n.train), expected, `raw-pixel neighbours of test image ${q.test}`)
    }
    const again = (await (await fetch(`${server.url}api/neighbours?run=cmp/tiny&k=${k}&queries=3,0,17`)).json()) as typeof body
    assert.deepEqual(again, body, 'the cached features give the same answer')
    const png = await fetch(`${server.url}api/image?split=train&index=${body.queries[0]!.encoder[0]!.train}&scale=2`)
    assert.equal(png.status, 200)
    assert.equal(png.headers.get('content-type'), 'image/png')
    const bytes = Buffer.from(await png.arrayBuffer())
    // PNG signature, then the IHDR chunk: width and height as big-endian 32-bit integers at bytes 16 and 20
    assert.equal(bytes.subarray(1, 4).toString(), 'PNG')
    assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], [2 * train.right.dataset.width, 2 * train.right.dataset.height])
  } finally {
    await server.close()
  }
})
