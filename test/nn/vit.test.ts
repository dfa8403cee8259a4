import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type AnyLayer, countParams, countSpecs, disposeTree, flatten, initOrThrow, inferOrThrow, keyOf, summarize, unflatten } from '@jepa-ts/core'
import { type VitConfig, addPosEmbed, encode, gatherTokens, posEmbed2d, vit, vitPresets } from '@jepa-ts/nn'

await tf.setBackend('cpu')

const ctx = (seed: number, training = false) => ({ key: keyOf(seed), training })

/** Small valid configs: heads | dim, 4 | dim, patch | image, depth 0–2, batch 1–3. */
const smallConfig = fc
  .record({
    heads: fc.integer({ min: 1, max: 3 }),
    perHead: fc.integer({ min: 1, max: 3 }),
    patchSize: fc.integer({ min: 1, max: 4 }),
    gridH: fc.integer({ min: 1, max: 3 }),
    gridW: fc.integer({ min: 1, max: 3 }),
    inChans: fc.integer({ min: 1, max: 3 }),
    depth: fc.integer({ min: 0, max: 2 }),
    batch: fc.integer({ min: 1, max: 3 }),
    seed: fc.nat(10_000),
  })
  .map((r) => ({
    ...r,
    config: {
      imageSize: [r.gridH * r.patchSize, r.gridW * r.patchSize] as const,
      patchSize: r.patchSize,
      inChans: r.inChans,
      dim: 4 * r.heads * r.perHead,
      depth: r.depth,
      heads: r.heads,
    } satisfies VitConfig,
  }))

test('executed output shape equals the inferred shape, and infer counts exactly the created params', () => {
  fc.assert(
    fc.property(smallConfig, ({ config, batch, seed }) => {
      const v = vit(config)
      const inDims = [batch, config.imageSize[0], config.imageSize[1], config.inChans]
      const inferred = inferOrThrow(v.layer, inDims)
      const { params } = initOrThrow(v.layer, keyOf(seed), inDims)
      const images = tf.randomNormal(inDims, 0, 1, 'float32', seed + 1)
      const y = encode(v, params, images, ctx(seed))
      const ok = y.shape.join() === inferred.outDims.join() && countParams(params) === countSpecs(inferred.params)
      assert.deepEqual(inferred.outDims, [batch, v.grid[0] * v.grid[1], config.dim])
      tf.dispose([images, y])
      disposeTree(params)
      return ok
    }),
    { numRuns: 25 },
  )
})

test('the position embedding equals its closed form at random (h, w, i)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 16 }), fc.nat(), fc.nat(), (gh, gw, quarter, a, b) => {
      const dim = 4 * quarter
      const pe = posEmbed2d(gh, gw, dim)
      const [h, w, i] = [a % gh, Math.floor(a / gh) % gw, b % quarter]
      const n = h * gw + w // row-major token
      const omega = 10000 ** (-i / quarter)
      const expect = [Math.sin(w * omega), Math.cos(w * omega), Math.sin(h * omega), Math.cos(h * omega)]
      return expect.every((e, part) => Math.abs(pe[n * dim + part * quarter + i]! - e) < 1e-6)
    }),
  )
})

test('addPosEmbed adds the table to every sample; dims not divisible by 4 or a wrong grid are init errors naming the numbers', () => {
  const l = addPosEmbed(2, 3, 8)
  const x = tf.zeros([2, 6, 8])
  const y = l.apply({}, x, ctx(0)) as tf.Tensor
  const table = posEmbed2d(2, 3, 8)
  const data = y.dataSync()
  for (let j = 0; j < data.length; j++) assert.ok(Math.abs(data[j]! - table[j % 48]!) < 1e-7)
  tf.dispose([x, y])
  const bad = addPosEmbed(2, 2, 6).infer([1, 4, 6], 'pos_embed')
  assert.ok(E.isLeft(bad) && /at pos_embed: expected a width divisible by 4.*dim 6/.test(bad.left.message), E.isLeft(bad) ? bad.left.message : '')
  const grid = addPosEmbed(2, 3, 8).infer([1, 5, 8], 'pos_embed')
  assert.ok(E.isLeft(grid) && /expected \[B, 6, 8\] \(2×3 patch grid\), got \[1, 5, 8\]/.test(grid.left.message))
  assert.throws(() => posEmbed2d(2, 2, 10), /dim must be a positive multiple of 4, got 10/)
})

test('with depth 0 the token-subset path equals gathering the full-path tokens', () => {
  fc.assert(
    fc.property(smallConfig, fc.integer({ min: 1, max: 9 }), ({ config, batch, seed }, kRaw) => {
      const v = vit({ ...config, depth: 0 })
      const inDims = [batch, config.imageSize[0], config.imageSize[1], config.inChans]
      const n = v.grid[0] * v.grid[1]
      const k = 1 + (kRaw % n)
      const { params } = initOrThrow(v.layer, keyOf(seed), inDims)
      const ps = { ...params, norm: { weight: tf.randomNormal([config.dim], 1, 0.5, 'float32', seed + 2), bias: tf.randomNormal([config.dim], 0, 0.5, 'float32', seed + 3) } }
      const idxData = Array.from({ length: batch * k }, (_, j) => (j * 7 + seed) % n)
      const idx = tf.tensor2d(idxData, [batch, k], 'int32')
      const images = tf.randomNormal(inDims, 0, 1, 'float32', seed + 1)
      const part = encode(v, ps, images, ctx(seed), idx).arraySync() as number[][][]
      // The reference gather, on the host: full[b][idx[b][j]].
      const full = encode(v, ps, images, ctx(seed)).arraySync() as number[][][]
      tf.dispose([idx, images])
      disposeTree(ps)
      return part.every((row, b) => row.every((tok, j) => tok.every((x, c) => Math.abs(x - full[b]![idxData[b * k + j]!]![c]!) < 1e-5)))
    }),
    { numRuns: 25 },
  )
})

test('gatherTokens keeps x[b, idx[b, k]] in idx order, and out-of-range indices are errors naming the index, its position and N', () => {
  const x = tf.tensor3d(Array.from({ length: 2 * 4 * 2 }, (_, j) => j), [2, 4, 2])
  const g = gatherTokens(x, tf.tensor2d([[3, 0], [1, 2]], [2, 2], 'int32'))
  assert.deepEqual(Array.from(g.dataSync()), [6, 7, 0, 1, 10, 11, 12, 13])
  assert.throws(() => gatherTokens(x, tf.tensor2d([[0, 1], [2, 4]], [2, 2], 'int32')), /gatherTokens: index 4 at \[1, 1\] is out of range for 4 tokens \(valid 0…3\)/)
  assert.throws(() => gatherTokens(x, tf.tensor2d([[0, -1], [2, 3]], [2, 2], 'int32')), /index -1 at \[0, 1\]/)
  assert.throws(() => gatherTokens(x, tf.tensor2d([[0, 1]], [1, 2], 'int32')), /expected indices \[2, K\] for 2 samples, got \[1, 2\]/)
  assert.throws(() => gatherTokens(x, tf.tensor2d([[0, 1], [0, 1]], [2, 2], 'float32')), /expected int32 indices, got float32/)
  const v = vit({ imageSize: 8, patchSize: 4, inChans: 1, dim: 8, depth: 1, heads: 2 })
  const { params } = initOrThrow(v.layer, keyOf(0), [1, 8, 8, 1])
  assert.throws(() => encode(v, params, tf.zeros([1, 8, 8, 1]), ctx(0), tf.tensor2d([[0, 9]], [1, 2], 'int32')), /encode: tokenIdx: index 9 at \[0, 1\] is out of range for 4 tokens/)
})

test('bad configs are init errors naming the layer path and the numbers', () => {
  const msg = (c: VitConfig, dims: number[]): string => {
    const r = (vit(c).layer as AnyLayer).infer(dims, '')
    assert.ok(E.isLeft(r), `expected an error for ${JSON.stringify(c)}`)
    return r.left.message
  }
  assert.match(msg({ imageSize: 30, patchSize: 4, inChans: 3, dim: 16, depth: 1, heads: 2 }, [1, 30, 30, 3]), /at patch_embed: expected image height and width divisible by the patch size 4.*H 30, W 30 \(30 % 4 = 2/)
  assert.match(msg({ imageSize: 32, patchSize: 4, inChans: 3, dim: 20, depth: 2, heads: 3 }, [1, 32, 32, 3]), /at blocks\.0\.attn: expected a head count that divides the width.*dim 20, heads 3 \(20 % 3 = 2\)/)
  assert.match(msg({ imageSize: 32, patchSize: 4, inChans: 3, dim: 18, depth: 1, heads: 3 }, [1, 32, 32, 3]), /at pos_embed: expected a width divisible by 4.*dim 18/)
  assert.match(msg({ imageSize: 32, patchSize: 4, inChans: 3, dim: 16, depth: 1, heads: 2 }, [1, 16, 16, 3]), /at pos_embed: expected \[B, 64, 16\] \(8×8 patch grid\), got \[1, 16, 16\]/)
})

test('ViT-Tiny/16 at 224 has 5,486,400 params, from the structure and from infer alone', () => {
  const v = vit({ ...vitPresets.tiny, imageSize: 224, patchSize: 16, inChans: 3 })
  const inf = inferOrThrow(v.layer, [1, 224, 224, 3])
  const d = 192
  const patchEmbedParams = 3 * 16 * 16 * d + d // 147,648
  const blockParams = 2 * d + (3 * d * d + 3 * d) + (d * d + d) + 2 * d + (4 * d * d + 4 * d) + (4 * d * d + d) // 444,864 = 12d² + 13d
  const expected = patchEmbedParams + 12 * blockParams + 2 * d
  assert.equal(expected, 5_486_400)
  assert.equal(countSpecs(inf.params), expected)
  assert.deepEqual(inf.outDims, [1, 196, 192])
  // timm's 5,524,416 (head removed) = ours + CLS token (192) + a learnable pos-embed with a CLS slot (197·192).
  assert.equal(expected + d + 197 * d, 5_524_416)
  const s = summarize(v.layer, [1, 224, 224, 3])
  assert.ok(E.isRight(s))
  assert.equal(s.right.totalParams, expected)
  assert.deepEqual(s.right.rows.filter((r) => r.depth === 0).map((r) => r.path), ['patch_embed', 'pos_embed', 'blocks', 'norm'])
  assert.deepEqual(s.right.rows.filter((r) => r.depth === 1).map((r) => r.path).slice(0, 2), ['blocks.0', 'blocks.1'])
})

test('presets have the standard sizes and heads divide the width', () => {
  const sizes = Object.entries(vitPresets).map(([k, p]) => `${k} ${p.dim}/${p.depth}/${p.heads}`)
  assert.deepEqual(sizes, ['tiny 192/12/3', 'small 384/12/6', 'base 768/12/12', 'large 1024/24/16', 'huge 1280/32/16'])
  for (const p of Object.values(vitPresets)) assert.equal(p.dim % p.heads, 0)
  const huge = inferOrThrow(vit({ ...vitPresets.huge, imageSize: 224, patchSize: 14, inChans: 3 }).layer, [1, 224, 224, 3])
  assert.equal(countSpecs(huge.params), 3 * 14 * 14 * 1280 + 1280 + 32 * (12 * 1280 * 1280 + 13 * 1280) + 2 * 1280)
})

test('encode holds no tensors after it returns (only its output)', () => {
  const v = vit({ imageSize: 8, patchSize: 2, inChans: 1, dim: 8, depth: 2, heads: 2 })
  const { params } = initOrThrow(v.layer, keyOf(0), [2, 8, 8, 1])
  const images = tf.randomNormal([2, 8, 8, 1])
  const idx = tf.tensor2d([[0, 5], [3, 15]], [2, 2], 'int32')
  const before = tf.memory().numTensors
  for (let i = 0; i < 3; i++) {
    encode(v, params, images, ctx(i, true), idx).dispose()
    encode(v, params, images, ctx(i)).dispose()
  }
  assert.equal(tf.memory().numTensors, before)
})

test('gradients reach every param on the token-subset path and match central differences', () => {
  const v = vit({ imageSize: 8, patchSize: 4, inChans: 2, dim: 8, depth: 1, heads: 2 })
  const { params } = initOrThrow(v.layer, keyOf(5), [2, 8, 8, 2])
  const leaves = flatten(params)
  const images = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 6)
  const idx = tf.tensor2d([[3, 0], [1, 2]], [2, 2], 'int32')
  const r = tf.randomNormal([2, 2, 8], 0, 1, 'float32', 7)
  const lossAt = (ts: readonly tf.Tensor[]): tf.Scalar => tf.sum(tf.mul(encode(v, unflatten(leaves.map(([p], i) => [p, ts[i]!] as const)), images, ctx(0), idx), r))
  const grads = tf.grads((...ts: tf.Tensor[]) => lossAt(ts))(leaves.map(([, t]) => t))
  grads.forEach((g, i) => {
    const norm = tf.tidy(() => tf.norm(g).dataSync()[0]!)
    assert.ok(Number.isFinite(norm) && norm > 0, `${leaves[i]![0]}: gradient norm ${norm}`)
  })
  // Central differences (float64 would be exact; float32 with h = 1e-2 is good to ~1e-2 relative).
  const pi = leaves.findIndex(([p]) => p === 'patch_embed.proj.weight')
  const h = 1e-2
  for (const j of [0, 5, 17, 63]) {
    const base = leaves.map(([, t]) => t)
    const bump = (sign: number): number =>
      tf.tidy(() => {
        const w = base[pi]!.dataSync().slice() as Float32Array
        w[j] = w[j]! + sign * h
        const ts = base.map((t, i) => (i === pi ? tf.tensor(w, t.shape) : t))
        return lossAt(ts).dataSync()[0]!
      })
    const numeric = (bump(1) - bump(-1)) / (2 * h)
    const analytic = grads[pi]!.dataSync()[j]!
    assert.ok(Math.abs(numeric - analytic) <= 2e-2 * Math.max(1, Math.abs(analytic)), `patch_embed.proj.weight[${j}]: analytic ${analytic}, numeric ${numeric}`)
  }
})

test('malformed config numbers throw at construction, naming the field and the value', () => {
  const base = { imageSize: 32, patchSize: 4, inChans: 3, dim: 16, depth: 1, heads: 2 }
  assert.throws(() => vit({ ...base, depth: -1 }), /vit: config\.depth must be a non-negative integer, got -1/)
  assert.throws(() => vit({ ...base, patchSize: 0 }), /vit: config\.patchSize must be a positive integer, got 0/)
  assert.throws(() => vit({ ...base, imageSize: [32, 31.5] }), /vit: config\.imageSize must be a positive integer \(each entry\), got \[32,31.5\]/)
  assert.throws(() => vit({ ...base, dropPathProb: 1 }), /vit: config\.dropPathProb must be a probability in \[0, 1\), got 1/)
  assert.doesNotThrow(() => vit({ ...base, depth: 0, dropPathProb: 0.1 }))
})
