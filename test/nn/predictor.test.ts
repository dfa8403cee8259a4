import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type AnyLayer, countParams, countSpecs, disposeTree, initOrThrow, inferOrThrow, keyOf } from '@jepa-ts/core'
import { gatherBlocks, predict, predictor } from '@jepa-ts/nn'

await tf.setBackend('cpu')

const ctx = { key: keyOf(0), training: false }

/** Distinct random positions: sample b's context and T target blocks are slices of one permutation. */
const positions = (n: number, seed: number): number[] => {
  const perm = Array.from({ length: n }, (_, i) => i)
  let s = seed + 1
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648
    const j = s % (i + 1)
    ;[perm[i], perm[j]] = [perm[j]!, perm[i]!]
  }
  return perm
}

const smallPredictor = fc.record({
  gridH: fc.integer({ min: 2, max: 4 }),
  gridW: fc.integer({ min: 2, max: 4 }),
  heads: fc.integer({ min: 1, max: 2 }),
  perHead: fc.integer({ min: 1, max: 2 }),
  embedDim: fc.integer({ min: 1, max: 6 }),
  depth: fc.integer({ min: 0, max: 2 }),
  batch: fc.integer({ min: 1, max: 2 }),
  targets: fc.integer({ min: 1, max: 3 }),
  seed: fc.nat(10_000),
})

test('predictor: executed shape = inferred [T·B, Kt, D]; infer counts the created params; target blocks never see each other', () => {
  fc.assert(
    fc.property(smallPredictor, (r) => {
      const n = r.gridH * r.gridW
      const kc = Math.max(1, Math.floor(n / 4))
      const kt = Math.max(1, Math.floor((n - kc) / r.targets))
      const p = predictor({ grid: [r.gridH, r.gridW], embedDim: r.embedDim, predictorDim: 4 * r.heads * r.perHead, depth: r.depth, heads: r.heads })
      const inDims = [[r.batch, kc, r.embedDim], [r.batch, kc], [r.targets, r.batch, kt]]
      const inf = inferOrThrow(p.layer, inDims)
      const { params } = initOrThrow(p.layer, keyOf(r.seed), inDims)
      const perms = Array.from({ length: r.batch }, (_, b) => positions(n, r.seed + b))
      const ctxIdx = tf.tensor2d(perms.map((q) => q.slice(0, kc)), [r.batch, kc], 'int32')
      const targets = Array.from({ length: r.targets }, (_, t) => tf.tensor2d(perms.map((q) => q.slice(kc + t * kt, kc + (t + 1) * kt)), [r.batch, kt], 'int32'))
      const tokens = tf.randomNormal([r.batch, kc, r.embedDim], 0, 1, 'float32', r.seed)
      const out = predict(p, params, tokens, ctxIdx, targets, ctx)
      const shapeOk = out.shape.join() === inf.outDims.join() && inf.outDims.join() === [r.targets * r.batch, kt, r.embedDim].join()
      const countOk = countParams(params) === countSpecs(inf.params)
      // Block 0 predicted alone equals block 0 predicted among all blocks.
      const alone = predict(p, params, tokens, ctxIdx, [targets[0]!], ctx)
      const err = tf.tidy(() => tf.max(tf.abs(tf.sub(alone, tf.slice(out, [0, 0, 0], [r.batch, kt, r.embedDim])))).dataSync()[0]!)
      tf.dispose([ctxIdx, ...targets, tokens, out, alone])
      disposeTree(params)
      return shapeOk && countOk && err < 1e-5
    }),
    { numRuns: 20 },
  )
})

test('predictor: the prediction of a block depends on its positions (pe at the target positions) and on the context', () => {
  const p = predictor({ grid: [4, 4], embedDim: 8, predictorDim: 8, depth: 1, heads: 2 })
  const { params } = initOrThrow(p.layer, keyOf(3), [[1, 4, 8], [1, 4], [1, 1, 3]])
  const tokens = tf.randomNormal([1, 4, 8], 0, 1, 'float32', 4)
  const ctxIdx = tf.tensor2d([[0, 1, 2, 3]], [1, 4], 'int32')
  const a = predict(p, params, tokens, ctxIdx, [tf.tensor2d([[5, 6, 7]], [1, 3], 'int32')], ctx).dataSync()
  const b = predict(p, params, tokens, ctxIdx, [tf.tensor2d([[9, 6, 7]], [1, 3], 'int32')], ctx).dataSync()
  const c = predict(p, params, tf.mul(tokens, -1), ctxIdx, [tf.tensor2d([[5, 6, 7]], [1, 3], 'int32')], ctx).dataSync()
  assert.ok(Math.abs(a[0]! - b[0]!) > 1e-6, 'token 0 moved to another position must change its prediction')
  assert.ok(Math.abs(a[10]! - c[10]!) > 1e-6, 'the context must influence the predictions')
})

test('predictor: bad inputs are errors naming the path or the index and the numbers', () => {
  const p = predictor({ grid: [4, 4], embedDim: 8, predictorDim: 8, depth: 1, heads: 3 })
  const heads = (p.layer as AnyLayer).infer([[2, 4, 8], [2, 4], [1, 2, 3]], 'predictor')
  assert.ok(E.isLeft(heads) && /at predictor\.predictor_blocks\.0\.attn: .*dim 8, heads 3/.test(heads.left.message), E.isLeft(heads) ? heads.left.message : '')
  const q = predictor({ grid: [4, 4], embedDim: 8, predictorDim: 8, depth: 1, heads: 2 })
  const mismatch = (q.layer as AnyLayer).infer([[2, 4, 8], [2, 5], [1, 2, 3]], 'predictor')
  assert.ok(E.isLeft(mismatch) && /at predictor: expected \(\[B, Kc, 8\], \[B, Kc\], \[T, B, Kt\]\).*got \(\[2, 4, 8\], \[2, 5\], \[1, 2, 3\]\)/.test(mismatch.left.message))
  const { params } = initOrThrow(q.layer, keyOf(0), [[1, 2, 8], [1, 2], [1, 1, 2]])
  const tokens = tf.zeros([1, 2, 8])
  assert.throws(() => predict(q, params, tokens, tf.tensor2d([[0, 16]], [1, 2], 'int32'), [tf.tensor2d([[3, 4]], [1, 2], 'int32')], ctx), /predictor: ctxIdx: index 16 at \[0, 1\] is out of range for 16 tokens/)
  assert.throws(() => predict(q, params, tokens, tf.tensor2d([[0, 1]], [1, 2], 'int32'), [tf.tensor2d([[3, 4]], [1, 2], 'int32'), tf.tensor2d([[3, 99]], [1, 2], 'int32')], ctx), /predictor: targetIdx: index 99 at \[1, 0, 1\] is out of range for 16 tokens/)
  assert.throws(() => predict(q, params, tokens, tf.tensor2d([[0, 1]], [1, 2], 'int32'), [tf.tensor2d([[3, 4]], [1, 2], 'int32'), tf.tensor2d([[3]], [1, 1], 'int32')], ctx), /all target blocks must have the same shape \[B, Kt\], got \[1, 2\], \[1, 1\]/)
})

test('predictor FLOPs and params: the paper-size predictor on ViT-H/14 (Dp 384, depth 12) has the reference parameter count', () => {
  const p = predictor({ grid: [16, 16], embedDim: 1280, predictorDim: 384, depth: 12, heads: 16 })
  const inf = inferOrThrow(p.layer, [[1, 40, 1280], [1, 40], [4, 1, 30]])
  const [D, Dp] = [1280, 384]
  assert.equal(countSpecs(inf.params), D * Dp + Dp + Dp + 12 * (12 * Dp * Dp + 13 * Dp) + 2 * Dp + Dp * D + D)
  assert.deepEqual(inf.outDims, [4, 30, 1280])
  assert.ok(inf.flops > 2 * 4 * 70 * 12 * 12 * Dp * Dp) // at least the block matmuls over T·B·(Kc + Kt) tokens
})

test('gatherBlocks lines up with predict: row t·B + b is block t of sample b', () => {
  const h = tf.tensor3d(Array.from({ length: 2 * 6 * 1 }, (_, j) => j), [2, 6, 1]) // value = b·6 + n
  const blocks = [tf.tensor2d([[0, 1], [2, 3]], [2, 2], 'int32'), tf.tensor2d([[4, 5], [0, 5]], [2, 2], 'int32')]
  const g = gatherBlocks(h, blocks)
  assert.deepEqual(g.shape, [4, 2, 1])
  assert.deepEqual(Array.from(g.dataSync()), [0, 1, 8, 9, 4, 5, 6, 11])
  assert.throws(() => gatherBlocks(h, [blocks[0]!, tf.tensor2d([[0, 9], [0, 1]], [2, 2], 'int32')]), /gatherBlocks\[1\]: index 9 at \[0, 1\] is out of range for 6 tokens/)
  assert.throws(() => gatherBlocks(h, []), /at least one block/)
  // And with the predictor: predicting each block alone gives the rows gatherBlocks puts it in.
  const p = predictor({ grid: [2, 3], embedDim: 4, predictorDim: 4, depth: 1, heads: 1 })
  const { params } = initOrThrow(p.layer, keyOf(1), [[2, 2, 4], [2, 2], [2, 2, 2]])
  const tokens = tf.randomNormal([2, 2, 4], 0, 1, 'float32', 2)
  const ctxIdx = tf.tensor2d([[1, 2], [1, 3]], [2, 2], 'int32')
  const all = predict(p, params, tokens, ctxIdx, blocks, ctx)
  const second = predict(p, params, tokens, ctxIdx, [blocks[1]!], ctx)
  const err = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.slice(all, [2, 0, 0], [2, 2, 4]), second))).dataSync()[0]!)
  assert.ok(err < 1e-6, `block 1 rows differ by ${err}`)
})
