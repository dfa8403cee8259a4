import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type AnyLayer, type Dims, type ParamTree, countSpecs, disposeTree, initOrThrow, keyOf } from '@jepa-ts/core'
import { attention, block, dropPath, dropout, gelu, geluErf, layerNorm, linear, mlp, patchEmbed, pixelNorm } from '@jepa-ts/nn'

await tf.setBackend('cpu')

const ctx = (seed: number, training = false) => ({ key: keyOf(seed), training })

/** Host copy of what `f` computes, with every tensor made inside released. */
const host = (f: () => tf.Tensor): { readonly shape: number[]; readonly data: Float32Array } => {
  let out: { shape: number[]; data: Float32Array } = { shape: [], data: new Float32Array() }
  tf.tidy(() => {
    const t = f()
    out = { shape: t.shape, data: t.dataSync() as Float32Array }
  })
  return out
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i]! - b[i]!) <= tol)) return false
  return true
}

const leftOf = (l: AnyLayer, dims: Dims): string => {
  const r = l.infer(dims, l.name)
  assert.ok(E.isLeft(r), `expected an init error for ${JSON.stringify(dims)}`)
  return r.left.message
}

test('linear = x·Wᵀ + b over the last dim of any rank, weight in PyTorch layout [out, in]', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 2 }), fc.nat(1000), (i, o, lead, seed) => {
      const l = linear(i, o)
      const { outDims, params } = initOrThrow(l, keyOf(seed), [...lead, i])
      assert.deepEqual(params.weight instanceof tf.Tensor && params.weight.shape, [o, i])
      const x = tf.randomNormal([...lead, i], 0, 1, 'float32', seed + 1)
      const got = host(() => l.apply(params, x, ctx(0)))
      const bias = tf.add(params.bias, 0.5) // a non-zero bias, so a dropped bias shows
      const p2 = { weight: params.weight, bias }
      const got2 = host(() => l.apply(p2, x, ctx(0)))
      const want = host(() => tf.add(tf.matMul(x.reshape([-1, i]), params.weight.transpose()), bias).reshape([...lead, o]))
      const ok = got.shape.join() === outDims.join() && close(got2.data, want.data, 1e-5)
      tf.dispose([x, bias])
      disposeTree(params)
      return ok
    }),
    { numRuns: 30 },
  )
})

test('linear FLOPs are 2·in·out (+ out for the bias) per row; bias: false drops the bias', () => {
  const inf = linear(8, 3).infer([2, 5, 8], 'fc')
  assert.ok(E.isRight(inf) && inf.right.flops === 10 * (2 * 8 * 3 + 3))
  const nb = linear(8, 3, { bias: false }).infer([4, 8], 'fc')
  assert.ok(E.isRight(nb) && nb.right.flops === 4 * 2 * 8 * 3 && countSpecs(nb.right.params) === 24)
  assert.match(leftOf(linear(8, 3, { name: 'head' }) as AnyLayer, [2, 7]), /at head: expected a tensor with last dim 8.*got \[2, 7\]/)
})

test('layerNorm: y = (x − mean)/√(biased var + 1e-6) · weight + bias per row', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 4 }), fc.nat(1000), (d, rows, seed) => {
      const l = layerNorm(d)
      const { params } = initOrThrow(l, keyOf(seed), [rows, d])
      const weight = tf.randomNormal([d], 1, 0.5, 'float32', seed + 2)
      const bias = tf.randomNormal([d], 0, 0.5, 'float32', seed + 3)
      const x = tf.randomNormal([rows, d], 3, 2, 'float32', seed + 1)
      const y = host(() => l.apply({ weight, bias }, x, ctx(0)))
      const [xs, w, b] = [x.dataSync() as Float32Array, weight.dataSync() as Float32Array, bias.dataSync() as Float32Array]
      tf.dispose([x, weight, bias])
      disposeTree(params)
      for (let r = 0; r < rows; r++) {
        const row = xs.subarray(r * d, (r + 1) * d)
        const mean = row.reduce((a, c) => a + c, 0) / d
        const v = row.reduce((a, c) => a + (c - mean) ** 2, 0) / d
        for (let j = 0; j < d; j++) {
          const want = ((row[j]! - mean) / Math.sqrt(v + 1e-6)) * w[j]! + b[j]!
          if (!(Math.abs(y.data[r * d + j]! - want) < 1e-3)) return false
        }
      }
      return true
    }),
    { numRuns: 30 },
  )
  assert.equal(countSpecs(E.getOrElseW(() => assert.fail())(layerNorm(8, { affine: false }).infer([2, 8], 'n')).params), 0)
  // eps shows where the variance is tiny: x = [0, 0.002] has var 1e-6, so y = ±0.001/√(2e-6) = ±0.7071 at eps 1e-6.
  const tiny = host(() => layerNorm(2, { affine: false }).apply({}, tf.tensor2d([[0, 0.002]]), ctx(0)))
  assert.ok(close(tiny.data, [-Math.SQRT1_2, Math.SQRT1_2], 1e-3), `${[...tiny.data]}`)
})

test('gelu(erf) matches ½x(1 + erf(x/√2)) at known points, its gradient is Φ(x) + x·φ(x), and tanh stays within 1e-3', () => {
  const xs = [-3, -1, -0.5, 0, 0.5, 1, 2.5]
  // Φ(x) from high-precision tables (x·Φ(x) is GELU).
  const phi: Record<number, number> = { [-3]: 0.0013498980, [-1]: 0.1586552539, [-0.5]: 0.3085375387, 0: 0.5, 0.5: 0.6914624613, 1: 0.8413447461, 2.5: 0.9937903347 }
  const y = host(() => gelu().apply({}, tf.tensor1d(xs), ctx(0)))
  assert.ok(close(y.data, xs.map((x) => x * phi[x]!), 2e-6), `gelu ${[...y.data]}`)
  const g = host(() => tf.grad((x: tf.Tensor) => tf.sum(geluErf(x)))(tf.tensor1d(xs)))
  const want = xs.map((x) => phi[x]! + (x * Math.exp((-x * x) / 2)) / Math.sqrt(2 * Math.PI))
  assert.ok(close(g.data, want, 1e-5), `gelu' ${[...g.data]} vs ${want}`)
  const t = host(() => gelu({ approximate: 'tanh' }).apply({}, tf.tensor1d(xs), ctx(0)))
  assert.ok(close(t.data, y.data, 1e-3))
})

test('dropout: identity in eval or at dropProb 0; in training, kept entries are scaled by 1/(1 − p), the mask depends only on the key', () => {
  fc.assert(
    fc.property(fc.double({ min: 0.05, max: 0.9, noNaN: true }), fc.nat(1000), (p, seed) => {
      const l = dropout({ dropProb: p })
      const x = tf.ones([64, 8])
      const evalOut = host(() => l.apply({}, x, ctx(seed, false)))
      const zeroP = host(() => dropout({ dropProb: 0 }).apply({}, x, ctx(seed, true)))
      const a = host(() => l.apply({}, x, ctx(seed, true)))
      const b = host(() => l.apply({}, x, ctx(seed, true)))
      x.dispose()
      const values = new Set(a.data)
      const dropped = a.data.filter((v) => v === 0).length / a.data.length
      return (
        evalOut.data.every((v) => v === 1) &&
        zeroP.data.every((v) => v === 1) &&
        close(a.data, b.data, 0) &&
        [...values].every((v) => v === 0 || Math.abs(v - 1 / (1 - p)) < 1e-5) &&
        Math.abs(dropped - p) < 0.12
      )
    }),
    { numRuns: 30 },
  )
  assert.match(leftOf(dropout({ dropProb: 1 }) as AnyLayer, [2, 3]), /dropProb in \[0, 1\).*dropProb 1/)
})

test('dropPath drops whole samples: each sample is all 0 or all 1/(1 − p); identity in eval', () => {
  fc.assert(
    fc.property(fc.double({ min: 0.1, max: 0.9, noNaN: true }), fc.nat(1000), (p, seed) => {
      const l = dropPath({ dropProb: p })
      const x = tf.ones([200, 2, 2])
      const y = host(() => l.apply({}, x, ctx(seed, true)))
      const e = host(() => l.apply({}, x, ctx(seed, false)))
      x.dispose()
      let zeros = 0
      for (let s = 0; s < 200; s++) {
        const row = y.data.subarray(s * 4, (s + 1) * 4)
        const v = row[0]!
        if (!row.every((u) => u === v)) return false
        if (v === 0) zeros++
        else if (Math.abs(v - 1 / (1 - p)) > 1e-5) return false
      }
      // Some samples dropped, some kept (P(all kept) ≤ 0.9^200 ≈ 7e-10), about p of them dropped.
      return e.data.every((v) => v === 1) && zeros > 0 && zeros < 200 && Math.abs(zeros / 200 - p) < 0.17
    }),
    { numRuns: 30 },
  )
  assert.match(leftOf(dropPath({ dropProb: -0.1 }) as AnyLayer, [2, 3]), /at drop_path: expected dropProb in \[0, 1\)/)
})

// Token-permutation equivariance of attention (and of every token-wise layer) is checked by the
// laws kit: test/laws/builtin-layers.test.ts (checkLayer's token-equivariance law).

test('attention mixes tokens: one token changed changes every output token (softmax over keys, not queries)', () => {
  const l = attention(8, 2)
  const { params } = initOrThrow(l, keyOf(3), [1, 4, 8])
  const big = { qkv: { weight: tf.mul(params.qkv.weight, 50), bias: params.qkv.bias }, proj: params.proj }
  const x = tf.randomNormal([1, 4, 8], 0, 1, 'float32', 9)
  const x2 = tf.concat([x.slice([0, 0, 0], [1, 3, 8]), tf.mul(x.slice([0, 3, 0], [1, 1, 8]), -2)], 1)
  const a = host(() => l.apply(big, x, ctx(0)))
  const b = host(() => l.apply(big, x2, ctx(0)))
  for (let t = 0; t < 3; t++) assert.ok(!close(a.data.subarray(t * 8, t * 8 + 8), b.data.subarray(t * 8, t * 8 + 8), 1e-6), `token ${t} did not see the change`)
})

test('attention and block: heads must divide the width — the init error names the path and the numbers', () => {
  assert.match(leftOf(attention(10, 3) as AnyLayer, [2, 4, 10]), /at attn: expected a head count that divides the width.*dim 10, heads 3 \(10 % 3 = 1\)/)
  assert.match(leftOf(block(10, 4, { name: '7' }) as AnyLayer, [2, 4, 10]), /at 7\.attn: .*dim 10, heads 4/)
  assert.match(leftOf(attention(8, 2) as AnyLayer, [2, 8]), /expected \[B, N, 8\] \(attention\), got \[2, 8\]/)
})

test('attention FLOPs count qkv, q·kᵀ, attn·v, proj and the softmax; block params are 12·d² + 13·d', () => {
  const [B, N, D, H] = [2, 5, 8, 2]
  const inf = attention(D, H).infer([B, N, D], 'attn')
  assert.ok(E.isRight(inf))
  const qkv = B * N * (2 * D * 3 * D + 3 * D)
  const proj = B * N * (2 * D * D + D)
  assert.equal(inf.right.flops, qkv + proj + 4 * B * N * N * D + 2 * B * H * N * N)
  const bi = block(D, H).infer([B, N, D], 'b')
  assert.ok(E.isRight(bi) && countSpecs(bi.right.params) === 12 * D * D + 13 * D)
  const mi = mlp(D, 4 * D).infer([B, N, D], 'mlp')
  assert.ok(E.isRight(mi) && mi.right.flops === B * N * (2 * D * 4 * D + 4 * D) + B * N * 4 * D + B * N * (2 * 4 * D * D + D))
})

test('block with dropPathProb > 0 equals the plain block in eval mode and differs in training', () => {
  const plain = block(8, 2)
  const dropping = block(8, 2, { dropPathProb: 0.5 })
  const { params } = initOrThrow(plain, keyOf(1), [8, 3, 8])
  const x = tf.randomNormal([8, 3, 8], 0, 1, 'float32', 2)
  const a = host(() => plain.apply(params, x, ctx(5)))
  const b = host(() => dropping.apply(params, x, ctx(5)))
  const c = host(() => dropping.apply(params, x, ctx(5, true)))
  assert.ok(close(a.data, b.data, 0))
  assert.ok(!close(a.data, c.data, 1e-6))
})

test('patchEmbed equals a stride-p convolution with the PyTorch weight [D, C, p, p] (row-major tokens)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.nat(1000), (p, gh, gw, c, d, seed) => {
      const l = patchEmbed(p, c, d)
      const { outDims, params } = initOrThrow(l, keyOf(seed), [2, gh * p, gw * p, c])
      const proj = params.proj as ParamTree
      const x = tf.randomNormal([2, gh * p, gw * p, c], 0, 1, 'float32', seed + 1)
      const got = host(() => l.apply(params, x, ctx(0)))
      // tfjs conv2d wants the filter as [p, p, C, D].
      const want = host(() => tf.add(tf.conv2d(x as tf.Tensor4D, tf.transpose(proj.weight as tf.Tensor, [2, 3, 1, 0]) as tf.Tensor4D, p, 'valid'), proj.bias as tf.Tensor).reshape([2, gh * gw, d]))
      tf.dispose(x)
      const ok = got.shape.join() === outDims.join() && close(got.data, want.data, 1e-5)
      disposeTree(params)
      return ok
    }),
    { numRuns: 30 },
  )
})

test('patchEmbed: a patch size that does not divide the image is an init error naming the path and the numbers', () => {
  assert.match(leftOf(patchEmbed(4, 3, 8) as AnyLayer, [1, 30, 32, 3]), /at patch_embed: expected image height and width divisible by the patch size 4.*H 30, W 32 \(30 % 4 = 2, 32 % 4 = 0\)/)
  assert.match(leftOf(patchEmbed(4, 3, 8) as AnyLayer, [1, 32, 32, 1]), /NHWC images \[B, H, W, 3\].*got \[1, 32, 32, 1\]/)
})

// infer's param count and shapes against init and apply, for every nn layer: checkLayer's
// infer-agrees law in test/laws/builtin-layers.test.ts.

test('pixelNorm standardizes per channel (one number or one per channel), adds no params, and names bad settings', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 4 }), fc.nat(1000), (c, seed) => {
      const mean = Array.from({ length: c }, (_, i) => 0.1 * (i + 1))
      const std = Array.from({ length: c }, (_, i) => 0.5 + 0.25 * i)
      const l = pixelNorm({ mean, std })
      const { outDims, params } = initOrThrow(l, keyOf(seed), [2, 3, 3, c])
      assert.deepEqual(outDims, [2, 3, 3, c], 'shape law')
      assert.deepEqual(params, {}, 'no params')
      const x = host(() => tf.randomUniform([2, 3, 3, c], 0, 1, 'float32', seed))
      const y = host(() => l.apply({}, tf.tensor(x.data, x.shape), ctx(seed)) as tf.Tensor)
      const expected = Array.from(x.data, (v, i) => (v - mean[i % c]!) / std[i % c]!)
      assert.ok(close(y.data, expected, 1e-5), `(x − mean_c) / std_c for C = ${c}`)
    }),
    { numRuns: 20 },
  )
  assert.match(leftOf(pixelNorm({ mean: [0.1, 0.2], std: 1 }), [1, 4, 4, 3]), /pixel_norm.*one mean or 3 \(one per channel\).*2 mean values/)
  assert.throws(() => pixelNorm({ mean: 0, std: 0 }), /pixelNorm: std\[0\] must be a finite number > 0, got 0/)
  assert.throws(() => patchEmbed(4, 1, 8, { initStd: 0 }), /patchEmbed: initStd must be a finite number > 0/)
})

test('patchEmbed initStd sets the weight init scale (default 0.02, the reference)', () => {
  const stdOf = (initStd?: number): number => {
    const { params } = initOrThrow(patchEmbed(4, 1, 64, initStd === undefined ? {} : { initStd }), keyOf(3), [1, 8, 8, 1])
    const w = Array.from(((params.proj as ParamTree).weight as tf.Tensor).dataSync())
    const m = w.reduce((a, b) => a + b, 0) / w.length
    const s = Math.sqrt(w.reduce((a, b) => a + (b - m) ** 2, 0) / w.length)
    disposeTree(params)
    return s
  }
  // truncated at ±2 in absolute units (PyTorch's trunc_normal_): at these stds the std is σ
  assert.ok(Math.abs(stdOf() / 0.02 - 1) < 0.08, `default std ${stdOf()} ≈ 0.02`)
  assert.ok(Math.abs(stdOf(0.139) / 0.139 - 1) < 0.08, `initStd 0.139 gives std ${stdOf(0.139)} ≈ 0.139`)
})
