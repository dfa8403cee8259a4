/**
 * The native backend's output-buffer pool. Laws: a size class holds n with at most 1/8 to spare;
 * `take` never hands out a buffer some holder still references (model-checked over random
 * take/retain/release sequences); free bytes never exceed the cap, and once a buffer comes back
 * the pool holds at most (1 + slack) × its peak bytes in use (free + in use), the slack starting at
 * SLACK and rising (never past MAX_SLACK) only while the pool keeps allocating what it dropped. On the backend: arrays read out
 * of tensors (`dataSync`, `data`) are copies that later kernels cannot overwrite, and a view made by
 * a cpu kernel (Unpack) keeps its buffer alive after the tensor it views is disposed.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import { activeNativeBackend } from '@jepa-ts/backend-native'
import { BufferPool, MAX_SLACK, MIN_POOLED, SLACK, WINDOW, sizeClass } from '../../packages/backend-native/src/buffer-pool.ts'
import { setup } from './harness.ts'

test('sizeClass(n) is the smallest class ≥ n, at most 1/8 above it, and a fixed point', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 28 }), (n) => {
      const c = sizeClass(n)
      assert.ok(c >= n && (n <= 16 ? c === n : c <= n * 1.125), `sizeClass(${n}) = ${c}`)
      assert.equal(sizeClass(c), c, `class ${c} is its own class`)
      if (n > 16) assert.ok(sizeClass(n - 1) <= c, 'monotone')
    }),
  )
})

type Op = { readonly kind: 'take'; readonly n: number } | { readonly kind: 'retain' | 'release'; readonly pick: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('take' as const), n: fc.integer({ min: MIN_POOLED, max: 3 * MIN_POOLED }) }),
  fc.record({ kind: fc.constantFrom('retain' as const, 'release' as const), pick: fc.nat() }),
)

test('take never returns a buffer still referenced; free bytes stay under the cap and the pool under 1 + slack times its peak', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 200 }), fc.integer({ min: 0, max: 8 }), (ops, capBuffers) => {
      const cap = capBuffers * 4 * 2 * MIN_POOLED
      const pool = new BufferPool(cap)
      // The model: each handed-out array and how many holders reference its buffer.
      const held: { a: Float32Array; refs: number }[] = []
      for (const op of ops) {
        let gaveBack = false
        if (op.kind === 'take') {
          const a = pool.take(op.n)
          assert.equal(a.length, op.n)
          for (const h of held) if (h.refs > 0) assert.notEqual(h.a.buffer, a.buffer, 'a referenced buffer was handed out again')
          for (let i = held.length - 1; i >= 0; i--) if (held[i]!.a.buffer === a.buffer) held.splice(i, 1)
          held.push({ a, refs: 1 })
          pool.retain(a)
        } else if (held.length > 0) {
          const h = held[op.pick % held.length]!
          if (op.kind === 'retain' && h.refs > 0) {
            pool.retain(h.a)
            h.refs++
          } else if (op.kind === 'release' && h.refs > 0) {
            pool.release(h.a)
            h.refs--
            gaveBack = h.refs === 0
          }
        }
        const s = pool.stats()
        assert.ok(s.freeBytes <= cap, `free bytes ${s.freeBytes} > cap ${cap}`)
        // The step bound: once buffers come back, the pool holds at most 1 + slack times its peak.
        const slack = pool.slack()
        assert.ok(slack >= SLACK && slack <= MAX_SLACK, `slack ${slack}`)
        if (gaveBack) assert.ok(s.freeBytes + s.inUseBytes <= (1 + slack) * s.peakInUseBytes, `free ${s.freeBytes} + in use ${s.inUseBytes} > ${1 + slack} × peak ${s.peakInUseBytes}`)
      }
    }),
  )
})

test('a released buffer is reused by the next take of its size class', () => {
  const pool = new BufferPool(2 ** 30)
  const a = pool.take(10_000)
  pool.retain(a)
  pool.release(a)
  const b = pool.take(9_999)
  assert.equal(b.buffer, a.buffer, 'same buffer')
  assert.deepEqual(pool.stats(), { reused: 1, allocated: 1, freeBytes: 0, inUse: 1, inUseBytes: 4 * sizeClass(10_000), peakInUseBytes: 4 * sizeClass(10_000) })
  assert.equal(new BufferPool(0).take(10_000).length, 10_000, 'cap 0: plain arrays')
  assert.equal(new BufferPool(0).stats().allocated, 0)
})

test('dataSync and data hand out copies: a later kernel reusing the buffer does not change them', async () => {
  await setup()
  await tf.setBackend('native')
  const backend = activeNativeBackend()
  assert.ok(backend !== undefined)
  const n = 4 * MIN_POOLED
  const x = tf.fill([n], 3)
  const y = tf.mul(x, 2) // a native output: pooled
  assert.ok(backend.pool.owns(backend.floats(y)!), 'the output is pooled')
  const sync = y.dataSync()
  const async = await y.data()
  y.dispose()
  const z = tf.mul(x, 5) // takes the buffer y gave back
  assert.equal(z.dataSync()[0], 15)
  assert.ok(sync.every((v) => v === 6) && async.every((v) => v === 6), 'the arrays read before are intact')
  tf.dispose([x, z])
})

test('a view made by a cpu kernel keeps its buffer alive after the viewed tensor is disposed', async () => {
  await setup()
  await tf.setBackend('native')
  const rows = 4
  const cols = MIN_POOLED
  const base = tf.tidy(() => tf.mul(tf.range(0, rows * cols, 1, 'float32').reshape([rows, cols]), 1))
  const parts = tf.unstack(base) // Unpack: cpu kernel, views of base's buffer
  base.dispose()
  const noise = Array.from({ length: 4 }, () => tf.mul(tf.fill([rows, cols], 7), 1)) // would take base's buffer if it were free
  for (let r = 0; r < rows; r++) assert.equal(parts[r]!.dataSync()[5], r * cols + 5, `row ${r} intact`)
  tf.dispose([...parts, ...noise])
})

test('over the cap, the buffers freed longest ago are dropped first', () => {
  const n = 4 * MIN_POOLED // a 64 KiB class
  const pool = new BufferPool(3 * 4 * sizeClass(n))
  const arrays = Array.from({ length: 6 }, () => pool.take(n))
  for (const a of arrays) pool.retain(a)
  for (const a of arrays) pool.release(a)
  assert.equal(pool.stats().freeBytes, 3 * 4 * sizeClass(n), 'exactly three buffers kept')
  const again = Array.from({ length: 3 }, () => pool.take(n)).map((a) => a.buffer)
  const last = arrays.slice(3).map((a) => a.buffer)
  assert.ok(again.every((b) => last.includes(b)) && new Set(again).size === 3, 'the three released last are the ones kept')
  assert.equal(pool.take(n).buffer === arrays[0]!.buffer, false, 'the oldest was dropped')
})

/**
 * One step of a workload whose buffers do not fit 1/8 above its peak: x stays in use while y is
 * taken and freed and then z is taken (more than twice y's size class: neither can use the other's
 * buffer) — the peak is x + z, the step needs x + y + z, about 1.14× the peak.
 */
const churningStep = (pool: BufferPool): void => {
  const x = pool.take(500_000)
  pool.retain(x)
  const y = pool.take(100_000)
  pool.retain(y)
  pool.release(y)
  const z = pool.take(230_000)
  pool.retain(z)
  pool.release(z)
  pool.release(x)
}

test('the slack rises while the steps keep allocating what the pool dropped, until they stop; a steady workload keeps SLACK', () => {
  const pool = new BufferPool(2 ** 30)
  const freshOver = (steps: number): number => {
    const before = pool.stats().allocated
    for (let i = 0; i < steps; i++) churningStep(pool)
    return pool.stats().allocated - before
  }
  assert.ok(freshOver(50) >= 45, 'at the first slack the step allocates again every time')
  assert.equal(pool.slack(), SLACK, 'not before two whole windows')
  freshOver(Math.ceil((3 * WINDOW) / 3))
  assert.ok(pool.slack() > SLACK && pool.slack() <= MAX_SLACK, `slack ${pool.slack()}`)
  assert.equal(freshOver(100), 0, 'after the rise the free lists hold what the step takes')
  const s = pool.stats()
  assert.ok(s.freeBytes + s.inUseBytes <= (1 + pool.slack()) * s.peakInUseBytes)

  const steady = new BufferPool(2 ** 30)
  for (let i = 0; i < 3 * WINDOW; i++) {
    const a = steady.take(100_000)
    steady.retain(a)
    steady.release(a)
  }
  assert.equal(steady.slack(), SLACK, 'a workload that reuses every buffer keeps the first slack')
  assert.equal(steady.stats().allocated, 1)
})
