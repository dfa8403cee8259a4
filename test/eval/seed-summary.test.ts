import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { claim, claimsTable, formatSpread, seedTable, spreadOf } from '@jepa-ts/eval'

test('spreadOf: mean and sample sd of the finite values', () => {
  assert.deepEqual(spreadOf([1, 2, 3]), { mean: 2, sd: 1, n: 3, values: [1, 2, 3] })
  assert.deepEqual(spreadOf([0.5, undefined, Number.NaN]), { mean: 0.5, sd: 0, n: 1, values: [0.5] })
  assert.equal(spreadOf([undefined]), undefined)
  fc.assert(
    fc.property(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 2, maxLength: 8 }), fc.double({ min: -50, max: 50, noNaN: true }), (xs, shift) => {
      const a = spreadOf(xs)!
      const b = spreadOf(xs.map((x) => x + shift))!
      assert.ok(Math.abs(b.mean - a.mean - shift) < 1e-9, 'the mean shifts with the data')
      assert.ok(Math.abs(b.sd - a.sd) < 1e-7, 'the sd does not')
      assert.ok(a.sd >= 0)
    }),
  )
})

test('claim: a difference exceeds the spread only when larger than the two sds added, with ≥ 2 seeds on a side', () => {
  const g = (method: string, xs: number[]) => ({ method, rows: xs.map((linearTop1) => ({ method, linearTop1 })) })
  const clear = claim(g('a', [0.70, 0.72]), g('b', [0.60, 0.61]), 'linearTop1')!
  assert.ok(clear.exceeds && Math.abs(clear.difference - 0.105) < 1e-12)
  assert.equal(claim(g('a', [0.70, 0.60]), g('b', [0.62, 0.63]), 'linearTop1')!.exceeds, false, 'overlapping seeds')
  assert.equal(claim(g('a', [0.9]), g('b', [0.1]), 'linearTop1')!.exceeds, false, 'one seed on each side: no spread, no claim')
  assert.equal(claim(g('a', [0.80, 0.81]), g('pixels', [0.70]), 'linearTop1')!.exceeds, true, 'a fixed baseline against two seeds')
  assert.equal(claim(g('a', [0.8]), { method: 'b', rows: [{ method: 'b' }] }, 'linearTop1'), undefined)
  const md = claimsTable([clear])
  assert.match(md, /\| a vs b \| linear top-1 \| \+10\.5 points \| 2 vs 2 \| yes: higher \|/)
  assert.match(seedTable([g('a', [0.70, 0.72])]), /\| a \| 2 \| 71\.0 ± 1\.4% \|/)
  assert.equal(formatSpread('rankMe', { mean: 5, sd: 0.25, n: 2, values: [] }), '5.0 ± 0.3')
})
