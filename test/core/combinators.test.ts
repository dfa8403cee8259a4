import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import {
  type AnyLayer, type Dims, keyOf, serial, serialDynamic, identity, named, repeat, residual, fanOut, add, initOrThrow, inferOrThrow,
  countParams, countSpecs, flatten, disposeTree, summarize, formatSummary, type Dim, type Layer,
} from '@jepa-ts/core'
import { dense, jitter, snapshot } from './helpers.ts'

await tf.setBackend('cpu')

const width = fc.integer({ min: 1, max: 6 })
const batch = fc.integer({ min: 1, max: 3 })
const seed = fc.nat({ max: 1_000_000 })
const ctx = (s: number, training = false) => ({ key: keyOf(s), training })

/** Runs `layer` on a fixed input: outputs and params as host arrays, with everything disposed. */
interface Run { readonly outDims: unknown; readonly shape: number[]; readonly y: number[]; readonly params: Record<string, number[]> }

/** Host-side results of `f`, with every tensor made inside released. */
const hostTidy = <T>(f: () => T): T => {
  let out: T | undefined
  tf.tidy(() => {
    out = f()
  })
  return out as T
}

const run = (layer: AnyLayer, s: number, inDims: Dims): Run =>
  hostTidy(() => {
    const { params, outDims } = initOrThrow(layer, keyOf(s), inDims)
    const x = tf.tensor(Array.from({ length: inDims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i + 1)), [...inDims])
    const y = layer.apply(params, x, ctx(s + 1)) as tf.Tensor
    const out = { outDims, shape: y.shape, y: Array.from(y.dataSync()), params: snapshot(params) }
    disposeTree(params)
    return out
  })

test('serial is associative: same params and outputs for the same key', () => {
  fc.assert(
    fc.property(width, width, width, width, batch, seed, (d0, d1, d2, d3, b, s) => {
      const [a, bb, c] = [dense(d0, d1, 'a'), dense(d1, d2, 'b'), dense(d2, d3, 'c')]
      const left = run(serial(serial(a, bb), c), s, [b, d0])
      const right = run(serial(a, serial(bb, c)), s, [b, d0])
      assert.deepEqual(left.params, right.params)
      assert.deepEqual(left.y, right.y)
    }),
    { numRuns: 25 },
  )
})

test('identity is the unit of serial', () => {
  fc.assert(
    fc.property(width, width, batch, seed, (d0, d1, b, s) => {
      const a = dense(d0, d1, 'a')
      const plain = run(a, s, [b, d0])
      for (const l of [serial(identity(), a), serial(a, identity())]) {
        const r = run(l, s, [b, d0])
        assert.deepEqual(r.y, plain.y)
        assert.deepEqual(r.params, Object.fromEntries(Object.entries(plain.params).map(([k, v]) => [`a.${k}`, v])))
      }
    }),
    { numRuns: 20 },
  )
})

test('same key gives identical params; different keys give different params', () => {
  fc.assert(
    fc.property(width, width, seed, seed, (d0, d1, s1, s2) => {
      fc.pre(s1 !== s2)
      const l = serial(dense(d0, d1, 'a'), dense(d1, d0, 'b'))
      assert.deepEqual(run(l, s1, [1, d0]).params, run(l, s1, [1, d0]).params)
      assert.notDeepEqual(run(l, s1, [1, d0]).params, run(l, s2, [1, d0]).params)
    }),
    { numRuns: 20 },
  )
})

test('repeated blocks get distinct params, under state_dict paths 0..n-1', () => {
  const r = run(named('blocks', repeat(3, () => residual(dense(4, 4)))), 1, [2, 4])
  assert.deepEqual(Object.keys(r.params), ['blocks.0.dense.weight', 'blocks.0.dense.bias', 'blocks.1.dense.weight', 'blocks.1.dense.bias', 'blocks.2.dense.weight', 'blocks.2.dense.bias'].map((p) => p.replace(/^blocks\./, '')))
  assert.notDeepEqual(r.params['0.dense.weight'], r.params['1.dense.weight'])
})

/** Random valid compositions of dense / residual / fanOut+add / jitter over a given width. */
const arbComposition = (d: number): fc.Arbitrary<Layer<readonly [...Dim[], number], readonly [...Dim[], number]>> =>
  fc.array(fc.tuple(fc.constantFrom('dense', 'residual', 'fan', 'jitter'), width), { minLength: 1, maxLength: 5 }).map((ops) => {
    let w = d
    const layers: AnyLayer[] = ops.map(([op, h], i) => {
      const name = `l${i}`
      if (op === 'dense') {
        const l = dense(w, h, name)
        w = h
        return l
      }
      if (op === 'residual') return named(name, residual(serial(dense(w, h, 'up'), dense(h, w, 'down'))))
      if (op === 'fan') return named(name, serial(fanOut(dense(w, w, 'p'), dense(w, w, 'q')), add()))
      return jitter(name)
    })
    return serialDynamic(layers) as Layer<readonly [...Dim[], number], readonly [...Dim[], number]>
  })

test('executed output shape equals the inferred shape; param count equals created sizes', () => {
  fc.assert(
    fc.property(width.chain((d) => fc.tuple(fc.constant(d), arbComposition(d))), batch, seed, fc.boolean(), ([d, layer], b, s, training) => {
      const inferred = inferOrThrow(layer, [b, 3, d])
      tf.tidy(() => {
        const { params, outDims } = initOrThrow(layer, keyOf(s), [b, 3, d])
        assert.deepEqual(outDims, inferred.outDims)
        assert.equal(countParams(params), countSpecs(inferred.params))
        assert.equal(flatten(params).reduce((n, [, t]) => n + t.size, 0), countSpecs(inferred.params))
        const y = layer.apply(params, tf.ones([b, 3, d]), ctx(s, training)) as tf.Tensor
        assert.deepEqual(y.shape, inferred.outDims)
        disposeTree(params)
      })
    }),
    { numRuns: 40 },
  )
})

test('residual(f) equals serial(fanOut(identity(), f), add())', () => {
  fc.assert(
    fc.property(width, width, batch, seed, (d, h, b, s) => {
      const f = named('f', serial(dense(d, h, 'up'), dense(h, d, 'down')))
      const r1 = run(residual(f), s, [b, d])
      const r2 = run(serial(fanOut(identity(), f), add()), s, [b, d])
      assert.deepEqual(r1.params, r2.params)
      r1.y.forEach((v, i) => assert.ok(Math.abs(v - r2.y[i]!) < 1e-6))
    }),
    { numRuns: 15 },
  )
})

test('runtime keys are split: two jitter layers never share noise', () => {
  const l = serial(fanOut(jitter('a'), jitter('b')))
  const y = hostTidy(() => (l.apply({}, tf.zeros([16]), ctx(3, true)) as unknown as tf.Tensor[]).map((t) => Array.from(t.dataSync())))
  assert.notDeepEqual(y[0], y[1])
})

test('a parameter path owned twice is an init error naming it', () => {
  const r = serial(dense(2, 2), dense(2, 2)).infer([1, 2], 'mlp')
  assert.ok(E.isLeft(r))
  assert.match(r.left.message, /at mlp\.dense: .*owned twice.*named\(\)/)
})

test('shape errors name the layer path, the expected and the actual shape', () => {
  // The type checker already refuses residual(dense(8, 6)); the cast shows the init-time check behind it.
  const model = named('encoder', serial(dense(4, 8, 'fc1'), named('block', residual(dense(8, 6, 'inner') as unknown as Layer<readonly [...Dim[], 8], readonly [...Dim[], 8]>))))
  const r = model.infer([2, 4], 'encoder')
  assert.ok(E.isLeft(r))
  assert.equal(r.left.path, 'encoder.block.inner')
  assert.match(r.left.message, /expected an output of the input's shape \[2, 8\].*got \[2, 6\]/)
  const r2 = model.infer([2, 5], 'encoder')
  assert.ok(E.isLeft(r2))
  assert.equal(r2.left.message, 'at encoder.fc1: expected last dim 4, got [2, 5]')
})

test('summary totals agree with the params and FLOPs of the parts', () => {
  const model = named('net', serial(dense(4, 8, 'fc1'), named('blocks', repeat(2, () => residual(dense(8, 8)))), dense(8, 2, 'head')))
  const s = summarize(model, [3, 4])
  assert.ok(E.isRight(s))
  const top = s.right.rows.filter((r) => r.depth === 0)
  assert.deepEqual(top.map((r) => r.path), ['net.fc1', 'net.blocks', 'net.head'])
  assert.equal(top.reduce((n, r) => n + r.params, 0), s.right.totalParams)
  assert.equal(s.right.totalParams, 4 * 8 + 8 + 2 * (8 * 8 + 8) + 8 * 2 + 2)
  assert.equal(s.right.totalFlops, 2 * 3 * 4 * 8 + 2 * (2 * 3 * 8 * 8 + 3 * 8) + 2 * 3 * 8 * 2)
  const text = formatSummary(s.right)
  assert.match(text, /total\s+\[3, 2\]\s+202/)
})

test('add and residual infer one add per output element per extra operand (FLOPs)', () => {
  // add of k operands: (k − 1) adds per element; residual(f): f's FLOPs + one add per element.
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 4 }), fc.array(width, { minLength: 1, maxLength: 3 }), (k, dims) => {
      const size = dims.reduce((a, b) => a * b, 1)
      const sum = inferOrThrow(add() as unknown as AnyLayer, Array.from({ length: k }, () => dims))
      assert.equal(sum.flops, (k - 1) * size)
      const res = inferOrThrow(residual(identity()) as unknown as AnyLayer, dims)
      assert.equal(res.flops, size)
    }),
    { numRuns: 30 },
  )
})
