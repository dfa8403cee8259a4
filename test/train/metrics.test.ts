import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { keyOf, uniform } from '@jepa-ts/core'
import type { ImageDataset } from '@jepa-ts/data'
import { train, openMetricsLog, parseMetrics, metricsLine, lineProgress, progressLine, formatEta, type MetricsRecord } from '@jepa-ts/train/node'
import { linearAutoencoder, disposeState } from '@jepa-ts/train'

await tf.setBackend('cpu')

const dataset: ImageDataset = {
  name: 'toy-8x8', height: 8, width: 8, channels: 1, size: 16,
  images: Uint8Array.from(uniform(keyOf(7), 16 * 64), (u) => Math.floor(u * 256)), labels: {}, classNames: {},
}
const toy = () => linearAutoencoder({ imageDims: [8, 8, 1], width: 4, lr: 1e-2, weightDecay: 0.05, warmupSteps: 2, totalSteps: 20 })
const freshDir = (): string => mkdtempSync(join(tmpdir(), 'jepa-metrics-'))

test('metrics.jsonl: one valid JSON line per step, with loss, lr, wd, gradNorm, images/s, and monitor numbers every N steps', async () => {
  const dir = freshDir()
  let measured = 0
  const r = await train({
    dataset, family: toy(), batchSize: 8, key: keyOf(1), config: {}, steps: 7, outDir: dir, checkpointEvery: 3,
    monitor: { every: 3, measure: async (s) => { measured++; return { rankMe: s.step + 0.5, collapseStd: 0.1 } } },
  })
  const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n')
  assert.equal(lines.at(-1), '', 'the file ends with a newline')
  const records = lines.slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>)
  assert.deepEqual(records.map((x) => x.step), [1, 2, 3, 4, 5, 6, 7], 'one line per step, in order')
  for (const x of records) {
    for (const f of ['loss', 'lr', 'wd', 'gradNorm', 'imagesPerSecond', 'elapsedSeconds']) assert.equal(typeof x[f], 'number', `step ${String(x.step)} has numeric ${f}`)
  }
  assert.deepEqual(records.filter((x) => 'rankMe' in x).map((x) => [x.step, x.rankMe]), [[3, 3.5], [6, 6.5]], 'monitor numbers on steps 3 and 6 only')
  assert.equal(measured, 2, 'the monitor ran twice')
  disposeState(r.state)
})

test('metricsLine / parseMetrics round-trip any finite or non-finite numbers (-0 as 0)', () => {
  fc.assert(
    fc.property(fc.nat(1000), fc.array(fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity)), { minLength: 1, maxLength: 5 }), (step, values) => {
      const record: MetricsRecord = { step, ...Object.fromEntries(values.map((v, i) => [`m${i}`, v])) }
      const line = metricsLine(record)
      assert.doesNotThrow(() => JSON.parse(line), 'valid JSON')
      const [back] = parseMetrics(`${line}\n`)
      assert.ok(back !== undefined, 'parsed one record')
      for (const [k, v] of Object.entries(record)) assert.ok(Object.is(back[k], v) || (v === 0 && back[k] === 0) || (Number.isNaN(v) && Number.isNaN(back[k])), `${k}: ${v} vs ${back[k]} (-0 is written as 0)`)
    }),
    { numRuns: 100 },
  )
})

test('openMetricsLog on resume keeps the lines through the checkpoint step and drops later and cut lines', () => {
  const path = join(freshDir(), 'metrics.jsonl')
  writeFileSync(path, [1, 2, 3, 4, 5].map((s) => metricsLine({ step: s, loss: s })).join('\n') + '\n{"step":6,"lo')
  const log = openMetricsLog(path, 3)
  log.append({ step: 4, loss: 40 })
  assert.deepEqual(parseMetrics(readFileSync(path, 'utf8')).map((r) => [r.step, r.loss]), [[1, 1], [2, 2], [3, 3], [4, 40]])
  openMetricsLog(path)
  assert.equal(readFileSync(path, 'utf8'), '', 'a new run starts an empty file')
})

test('plain progress lines every N steps and at stop; ETA formatting', () => {
  const lines: string[] = []
  const p = lineProgress((l) => lines.push(l), 2)
  p.start(5, 0)
  for (let s = 1; s <= 5; s++) p.update({ step: s, loss: 1 / s, lr: 1e-3, imagesPerSecond: 100, etaSeconds: 5 - s })
  p.stop()
  assert.deepEqual(lines.map((l) => l.split('  ')[0]), ['step 2/5', 'step 4/5', 'step 5/5'], 'every 2nd step and the last')
  assert.equal(progressLine({ step: 2, loss: 0.5, lr: 0.001, imagesPerSecond: 812.46, etaSeconds: 63 }, 10), 'step 2/10  loss 0.5000  lr 1.0e-3  812.5 img/s  ETA 1m 03s')
  assert.equal(formatEta(3725), '1h 02m')
  assert.equal(formatEta(12.4), '12 s')
})
