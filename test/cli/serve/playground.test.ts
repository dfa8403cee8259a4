/**
 * The playground's pieces in Node (the browser test drives the whole page):
 * - `/api/playground/images` sends the first `count` images of a split with their labels, the
 *   bytes exactly the dataset's, and caches its reply; a colour dataset is a 400 saying why;
 * - `batchOf` pads 28 × 28 centered into 32 × 32 and scales to [0, 1]; `shuffled` is a permutation;
 *   `checkImages` names the field of bad input;
 * - one trainer step per family runs (cpu backend), and the masks it reports are the ones the
 *   family's step drew: I-JEPA's context and target sizes equal the step's logged token counts,
 *   MAE removes 75 % of the 64 tokens.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs'
import type { ImageDataset } from '@jepa-ts/data'
import { startServer } from '../../../packages/cli/src/serve/server.ts'
import { playgroundImages } from '../../../packages/cli/src/serve/playground-data.ts'
import { type PlaygroundImages, batchOf, checkImages, playgroundTrainer, shuffled } from '../../../packages/cli/src/serve/playground/trainer.ts'

const dataset = (channels: number, size = 6): ImageDataset => ({
  name: `fake-${channels}`, height: 4, width: 4, channels, size,
  images: Uint8Array.from({ length: size * 16 * channels }, (_, i) => (i * 7) % 256),
  labels: { label: Int32Array.from({ length: size }, (_, i) => i % 2) },
  classNames: { label: ['even', 'odd'] },
})

test('/api/playground/images: the first images and labels of a split, as the dataset holds them', async () => {
  const server = await startServer({ root: mkdtempSync(join(tmpdir(), 'jepa-pg-')), port: 0, dataPath: 'synthetic' })
  try {
    const res = await fetch(`${server.url}api/playground/images?split=test&count=10`)
    assert.equal(res.status, 200)
    const body = (await res.json()) as { count: number; height: number; width: number; labels: number[]; classNames: string[]; pixels: string }
    assert.equal(body.count, 10)
    assert.equal(Buffer.from(body.pixels, 'base64').length, 10 * body.height * body.width)
    assert.equal(body.labels.length, 10)
    assert.ok(body.classNames.length >= 2)
  } finally {
    await server.close()
  }
  const source = playgroundImages({ get: () => E.right({ train: dataset(1), test: dataset(1), field: 'label' }) })
  const first = source('train', 3)
  assert.ok(E.isRight(first))
  const reply = JSON.parse(new TextDecoder().decode(first.right)) as { pixels: string; labels: number[] }
  assert.deepEqual([...Buffer.from(reply.pixels, 'base64')], [...dataset(1).images.subarray(0, 48)])
  assert.deepEqual(reply.labels, [0, 1, 0])
  const again = source('train', 3)
  assert.ok(E.isRight(again) && again.right === first.right, 'the second request is served from the cache')
  const more = source('train', 7)
  assert.ok(E.isLeft(more) && more.left.status === 400 && /count: expected at most the 6 images/.test(more.left.message))
  const colour = playgroundImages({ get: () => E.right({ train: dataset(3), test: dataset(3), field: 'label' }) })('test', 2)
  assert.ok(E.isLeft(colour) && colour.left.status === 400 && /gray square images .* got 4×4×3/.test(colour.left.message))
})

const images = (count: number, side = 28): PlaygroundImages => ({
  count, height: side, width: side,
  pixels: Uint8Array.from({ length: count * side * side }, (_, i) => (i * 31 + (i >> 5)) % 256),
  labels: Int32Array.from({ length: count }, (_, i) => i % 3),
  classNames: ['a', 'b', 'c'],
})

test('batchOf pads centered and scales; shuffled is a permutation; checkImages names the field', () => {
  const d = images(2)
  const b = batchOf(d, [1])
  assert.equal(b.length, 32 * 32)
  assert.equal(b[0], 0, 'the padding is black')
  assert.equal(b[2 * 32 + 2], Math.fround(d.pixels[784]! / 255), 'pixel (0, 0) of image 1 lands at (2, 2)')
  assert.equal(b[29 * 32 + 29], Math.fround(d.pixels[784 + 27 * 28 + 27]! / 255), 'pixel (27, 27) lands at (29, 29)')
  const p = shuffled(100, 7)
  assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i))
  assert.notDeepEqual([...p], Array.from({ length: 100 }, (_, i) => i))
  assert.throws(() => checkImages('train', { ...d, pixels: d.pixels.subarray(1) }), /playground train\.pixels: expected 1568 bytes, got 1567/)
  assert.throws(() => checkImages('test', images(2, 40)), /playground test\.height: expected an integer in 1\.\.32, got 40/)
  assert.throws(() => checkImages('test', { ...d, labels: Int32Array.from([0, 5]) }), /playground test\.labels: expected values in 0\.\.2/)
})

test('one step per family: the reported masks are the ones the step trained on', async () => {
  await tf.setBackend('cpu')
  const train = images(16)
  const test = images(8)
  const ij = playgroundTrainer({ family: 'ijepa', train, test, batchSize: 4, seed: 1 })
  const r = ij.step()
  assert.equal(r.step, 1)
  assert.ok(Number.isFinite(r.loss))
  assert.ok(r.masks.kind === 'ijepa')
  assert.equal(r.masks.context.length, r.metrics['contextTokens'])
  assert.equal(r.masks.targets.length, r.metrics['targetBlocks'])
  assert.ok(r.masks.targets.every((t) => t.length === r.metrics['targetTokens']))
  assert.ok([...r.masks.context, ...r.masks.targets.flat()].every((t) => t >= 0 && t < 64))
  ij.dispose()
  const before = tf.memory().numTensors
  const ma = playgroundTrainer({ family: 'mae', train, test, batchSize: 4, seed: 1 })
  const m = ma.step()
  assert.ok(m.masks.kind === 'mae')
  assert.equal(m.masks.removed.length, 48, '75% of the 8 × 8 tokens removed')
  const top1 = await ma.knn()
  assert.ok(top1 >= 0 && top1 <= 1)
  ma.dispose()
  assert.equal(tf.memory().numTensors, before, 'a disposed trainer leaves no tensor')
  assert.throws(() => ma.step(), /disposed/)
})
