import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { keyOf, fold, split, stream, uniform, normal, toSeed, randint, keyToString, keyFromString, truncatedNormal, threefry2x32 } from '@jepa-ts/core'

test('threefry2x32 matches the Random123 known-answer vector', () => {
  // Random123 kat_vectors: threefry2x32_20, key = ctr = 0
  assert.deepEqual([...threefry2x32(0, 0, 0, 0)].map((x) => x.toString(16)), ['6b200159', '99ba4efe'])
})

test('same key, same numbers; different keys, different numbers', () => {
  fc.assert(
    fc.property(fc.nat(), fc.nat(), (a, b) => {
      const ua = uniform(keyOf(a), 8)
      assert.deepEqual(ua, uniform(keyOf(a), 8))
      if (a !== b) assert.notDeepEqual(ua, uniform(keyOf(b), 8))
    }),
  )
})

test('fold and split give distinct keys; streams are named', () => {
  const k = keyOf(7)
  const ks = split(k, 16).map(keyToString)
  assert.equal(new Set(ks).size, 16)
  assert.notEqual(keyToString(stream(k, 'params')), keyToString(stream(k, 'dropout')))
  assert.notEqual(keyToString(fold(k, 'a')), keyToString(fold(k, 1)))
})

test('uniform lies in [0, 1) with mean near 1/2; normal has mean 0, std 1', () => {
  const u = uniform(keyOf(3), 20000)
  assert.ok(u.every((x) => x >= 0 && x < 1))
  const mean = u.reduce((a, b) => a + b, 0) / u.length
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`)
  const z = normal(keyOf(4), 20001)
  const m = z.reduce((a, b) => a + b, 0) / z.length
  const v = z.reduce((a, b) => a + (b - m) ** 2, 0) / z.length
  assert.ok(Math.abs(m) < 0.03 && Math.abs(v - 1) < 0.05, `mean ${m} var ${v}`)
})

test('normal: the two samples of each Box–Muller pair are uncorrelated', () => {
  // z[2i] = r·cos t, z[2i+1] = r·sin t: independent; the same function twice would correlate 1.
  const z = normal(keyOf(6), 20000)
  let sxy = 0
  for (let i = 0; i < z.length; i += 2) sxy += z[i]! * z[i + 1]!
  const corr = sxy / (z.length / 2)
  assert.ok(Math.abs(corr) < 0.03, `pair correlation ${corr}`)
})

test('truncatedNormal stays inside its bounds and has the truncated std', () => {
  const z = truncatedNormal(keyOf(5), 20000, 0.02)
  assert.ok(z.every((x) => Math.abs(x) <= 2))
  const std = Math.sqrt(z.reduce((a, b) => a + b * b, 0) / z.length)
  assert.ok(Math.abs(std - 0.02) < 0.001, `std ${std}`)
  const t = truncatedNormal(keyOf(5), 20000, 1)
  const s1 = Math.sqrt(t.reduce((a, b) => a + b * b, 0) / t.length)
  assert.ok(Math.abs(s1 - 0.8796) < 0.02, `std of N(0,1) cut at ±2 should be 0.88, got ${s1}`)
})

test('toSeed is never 0 (tfjs reads 0 as unseeded)', () => {
  fc.assert(fc.property(fc.nat(), fc.nat(), (a, b) => toSeed(fold(keyOf(a), b)) > 0))
})

test('randint has an exclusive upper bound', () => {
  fc.assert(fc.property(fc.nat(), fc.integer({ min: -50, max: 50 }), fc.integer({ min: 1, max: 50 }), (s, lo, n) => {
    const r = randint(keyOf(s), lo, lo + n)
    return Number.isInteger(r) && r >= lo && r < lo + n
  }))
})

test('keyToString round-trips and rejects junk', () => {
  fc.assert(fc.property(fc.nat(), (s) => keyToString(keyFromString(keyToString(keyOf(s)))) === keyToString(keyOf(s))))
  assert.throws(() => keyFromString('xyz'), /16 hex digits/)
})
