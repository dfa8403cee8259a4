import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { PositiveInt, NonNegativeInt, Probability, OpenUnit, PositiveNumber, interval, exact, withDefaults, overlay, refine, decode, decodeOrThrow, parseJson, suggestKey, ConfigDecodeError, type ConfigError } from '@jepa-ts/core'
import { readJsonConfig } from '@jepa-ts/core/node'

const lines = (r: E.Either<ConfigError, unknown>): string[] => {
  assert.ok(E.isLeft(r), 'expected a decode failure')
  return r.left.format().split('\n')
}

const anyValue = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1, 0.5, Number.MAX_SAFE_INTEGER + 2),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
)

const brandCases: ReadonlyArray<readonly [string, t.Decoder<unknown, number>, (x: number) => boolean]> = [
  ['PositiveInt', PositiveInt, (x) => Number.isSafeInteger(x) && x >= 1],
  ['NonNegativeInt', NonNegativeInt, (x) => Number.isSafeInteger(x) && x >= 0],
  ['Probability', Probability, (x) => x >= 0 && x <= 1],
  ['OpenUnit', OpenUnit, (x) => x > 0 && x <= 1],
  ['PositiveNumber', PositiveNumber, (x) => Number.isFinite(x) && x > 0],
]

for (const [name, codec, spec] of brandCases) {
  test(`${name} accepts exactly the numbers its definition allows`, () => {
    fc.assert(
      fc.property(anyValue, (u) => {
        const r = decode(codec, u, 'x')
        const ok = typeof u === 'number' && spec(u)
        if (ok) return E.isRight(r) && Object.is(r.right, u)
        return E.isLeft(r) && r.left.format() === `Expecting ${name} at x but instead got: ${typeof u === 'number' && !Number.isFinite(u) ? String(u) : JSON.stringify(u)}`
      }),
      { numRuns: 300 },
    )
  })
}

test('brand edges: the boundaries are where the docs say', () => {
  const ok = (c: t.Decoder<unknown, number>, u: unknown): boolean => E.isRight(decode(c, u))
  assert.deepEqual([0, 1, 2, 1.5, -1].map((u) => ok(PositiveInt, u)), [false, true, true, false, false])
  assert.deepEqual([0, -0, 1, -1, 0.5].map((u) => ok(NonNegativeInt, u)), [true, true, true, false, false])
  assert.deepEqual([0, 1, 0.5, -1e-9, 1 + 1e-9, NaN].map((u) => ok(Probability, u)), [true, true, true, false, false, false])
  assert.deepEqual([0, 1, 1e-12, 1.0000001].map((u) => ok(OpenUnit, u)), [false, true, true, false])
  assert.deepEqual([0, 1e-300, Infinity, -2].map((u) => ok(PositiveNumber, u)), [false, true, false, false])
})

test('the documented message form: Expecting PositiveInt at model.patchSize', () => {
  const Config = exact({ model: exact({ patchSize: PositiveInt }) })
  assert.deepEqual(lines(decode(Config, { model: { patchSize: '16' } })), [
    'Expecting PositiveInt at model.patchSize but instead got: "16"',
  ])
})

test('interval accepts ordered pairs of valid bounds and rejects the rest', () => {
  const Scale = interval(OpenUnit)
  fc.assert(
    fc.property(fc.double({ min: -0.5, max: 1.5, noNaN: true }), fc.double({ min: -0.5, max: 1.5, noNaN: true }), (lo, hi) => {
      const r = decode(Scale, [lo, hi], 'scale')
      const valid = lo > 0 && lo <= 1 && hi > 0 && hi <= 1 && lo <= hi
      return valid ? E.isRight(r) && r.right[0] === lo && r.right[1] === hi : E.isLeft(r)
    }),
    { numRuns: 300 },
  )
  assert.deepEqual(lines(decode(Scale, [0.2, 0.15], 'scale')), [
    'Expecting Interval<OpenUnit> (lo ≤ hi) at scale but instead got: [0.2,0.15]',
  ])
  assert.deepEqual(lines(decode(Scale, [0.2, 0.3, 0.4], 'scale')), [
    'Expecting Interval<OpenUnit> (an array [lo, hi]) at scale but instead got: [0.2,0.3,0.4]',
  ])
  assert.deepEqual(lines(decode(Scale, [0, 2], 'scale')), [
    'Expecting OpenUnit at scale.0 but instead got: 0',
    'Expecting OpenUnit at scale.1 but instead got: 2',
  ])
})

test('unknown keys are rejected with the path and a suggestion', () => {
  const Config = exact({ model: exact({ patchSize: PositiveInt, imageSize: PositiveInt }, {}, 'Model') })
  assert.deepEqual(lines(decode(Config, { model: { patchsize: 16, imageSize: 28 } })), [
    'unknown key "patchsize" at model (did you mean "patchSize"?)',
    'Expecting PositiveInt at model.patchSize but instead got: undefined (required key is missing)',
  ])
  assert.deepEqual(lines(decode(Config, { model: { patchSize: 4, imageSize: 28 }, zzz: 1 })), [
    'unknown key "zzz" at <root> (known keys: model)',
  ])
  assert.equal(suggestKey('imagesize', ['imageSize', 'patchSize']), 'imageSize')
  assert.equal(suggestKey('depth', ['imageSize', 'patchSize']), undefined)
})

test('any extra key is an error, whatever its name', () => {
  const Obj = exact({ a: t.number }, { b: t.string })
  fc.assert(
    fc.property(fc.string({ minLength: 1 }).filter((k) => k !== 'a' && k !== 'b'), anyValue, (key, v) => {
      const r = decode(Obj, { a: 1, [key]: v }, 'obj')
      return E.isLeft(r) && r.left.issues.length === 1 && r.left.issues[0]!.path === `obj.${key}` && r.left.issues[0]!.message.startsWith(`unknown key "${key}" at obj`)
    }),
  )
})

test('nested paths use array indices: targets.0.scale', () => {
  const Target = exact({ scale: interval(OpenUnit), aspect: interval(PositiveNumber) }, {}, 'Target')
  const Mask = exact({ targets: t.array(Target), ratio: Probability }, {}, 'Mask')
  const r = decode(Mask, { targets: [{ scale: [0.15, 1.2], aspect: [0.75, 1.5] }, { scale: [0.1, 0.2], aspect: [2, 1] }], ratio: 1.5 }, 'mask')
  assert.deepEqual(lines(r), [
    'Expecting OpenUnit at mask.targets.0.scale.1 but instead got: 1.2',
    'Expecting Interval<PositiveNumber> (lo ≤ hi) at mask.targets.1.aspect but instead got: [2,1]',
    'Expecting Probability at mask.ratio but instead got: 1.5',
  ])
  assert.ok(E.isLeft(r), 'E.isLeft(r)')
  assert.deepEqual(r.left.issues.map((i) => i.path), ['mask.targets.0.scale.1', 'mask.targets.1.aspect', 'mask.ratio'])
  assert.deepEqual(r.left.issues[2]!.actual, 1.5)
  assert.equal(r.left.issues[2]!.expected, 'Probability')
})

test('a union of literals is reported once, by name', () => {
  const Loss = exact({ energy: t.union([t.literal('smoothL1'), t.literal('l2')]) })
  assert.deepEqual(lines(decode(Loss, { energy: 'l1' }, 'loss')), [
    'Expecting ("smoothL1" | "l2") at loss.energy but instead got: "l1"',
  ])
  assert.ok(E.isRight(decode(Loss, { energy: 'l2' })), 'E.isRight(decode(Loss, { energy: \'l2\' }))')
})

test('paths inside a union of objects skip the member index: mask.size, not mask.0.size', () => {
  const Strategy = t.union([exact({ kind: t.literal('block'), size: PositiveInt }, {}, 'Block'), exact({ kind: t.literal('random') }, {}, 'Random')])
  const r = decode(exact({ mask: Strategy }), { mask: { kind: 'block', size: 0 } })
  assert.ok(E.isLeft(r), 'a block of size 0 is rejected')
  assert.deepEqual(r.left.issues.map((i) => i.path), ['mask.size', 'mask.size', 'mask.kind'])
  assert.deepEqual(lines(r), [
    'Expecting PositiveInt at mask.size but instead got: 0',
    'unknown key "size" at mask (known keys: kind)',
    'Expecting "random" at mask.kind but instead got: "block"',
  ])
})

test('non-objects are rejected where an object is expected', () => {
  const Model = exact({ depth: PositiveInt }, {}, 'Model')
  assert.deepEqual(lines(decode(Model, [1], 'model')), ['Expecting Model at model but instead got: [1]'])
  assert.deepEqual(lines(decode(Model, null)), ['Expecting Model at <root> but instead got: null'])
})

test('withDefaults fills absent optional fields and keeps given ones', () => {
  const Model = withDefaults(exact({ imageSize: PositiveInt }, { patchSize: PositiveInt, depth: PositiveInt, note: t.string }, 'Model'), {
    patchSize: 4,
    depth: 6,
  })
  fc.assert(
    fc.property(fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }), fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }), (patch, depth) => {
      const input: Record<string, unknown> = { imageSize: 28 }
      if (patch !== undefined) input.patchSize = patch
      if (depth !== undefined) input.depth = depth
      const m = decodeOrThrow(Model, input)
      return m.patchSize === (patch ?? 4) && m.depth === (depth ?? 6) && m.imageSize === 28 && m.note === undefined
    }),
  )
  // types: defaulted keys are present, the others stay optional, brands are kept
  const typed = decodeOrThrow(Model, { imageSize: 28 })
  const patchSize: PositiveInt = typed.patchSize
  assert.equal(patchSize, 4)
  // @ts-expect-error: "note" has no default, so it may be undefined
  const note: string = typed.note
  assert.equal(note, undefined)
  // @ts-expect-error: a plain number is not a PositiveInt; only decoding makes one
  const unchecked: PositiveInt = 4
  assert.equal(unchecked, 4)
  // a wrong user value is reported, never replaced by the default
  assert.deepEqual(lines(decode(Model, { imageSize: 28, patchSize: 0 }, 'model')), ['Expecting PositiveInt at model.patchSize but instead got: 0'])
  // defaults are checked when the codec is built
  assert.throws(() => withDefaults(exact({ a: PositiveInt }, { b: PositiveInt }), { b: 0 }), /Expecting PositiveInt at defaults\.b but instead got: 0/)
  // @ts-expect-error: "a" is required, not optional
  assert.throws(() => withDefaults(exact({ a: PositiveInt }, { b: PositiveInt }), { a: 1 }), /"a" is not an optional key \(optional keys: b\)/)
})

test('overlay lays partial user JSON over a preset, deeply', () => {
  const Model = exact({ imageSize: PositiveInt, patchSize: PositiveInt, depth: PositiveInt }, {}, 'Model')
  const Config = exact({ model: Model, lr: PositiveNumber })
  const preset = { model: { imageSize: 28, patchSize: 4, depth: 6 }, lr: 1e-3 }
  const merged = decodeOrThrow(Config, overlay(preset, { model: { depth: 2 } }))
  assert.deepEqual(merged, { model: { imageSize: 28, patchSize: 4, depth: 2 }, lr: 1e-3 })
  assert.deepEqual(overlay({ a: [1, 2], b: 1 }, { a: [3], c: undefined }), { a: [3], b: 1, c: undefined })
  assert.deepEqual(lines(decode(Config, overlay(preset, { model: { depht: 2 } }))), ['unknown key "depht" at model (did you mean "depth"?)'])
})

const Model = refine(
  exact({ imageSize: PositiveInt, patchSize: PositiveInt }, {}, 'Model'),
  (m) => m.imageSize % m.patchSize === 0,
  (m, at) => `${at('patchSize')} (${m.patchSize}) must divide ${at('imageSize')} (${m.imageSize})`,
  'patchSize divides imageSize',
)

test('cross-field refinements name the fields with their full paths', () => {
  const Config = exact({ model: Model })
  const r = decode(Config, { model: { imageSize: 28, patchSize: 16 } })
  assert.deepEqual(lines(r), ['model.patchSize (16) must divide model.imageSize (28)'])
  assert.ok(E.isLeft(r), 'E.isLeft(r)')
  assert.equal(r.left.issues[0]!.path, 'model')
  assert.equal(r.left.issues[0]!.expected, 'patchSize divides imageSize')
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), (image, patch) =>
      E.isRight(decode(Config, { model: { imageSize: image, patchSize: patch } })) === (image % patch === 0),
    ),
  )
  // field errors come first; the rule only sees valid values
  assert.deepEqual(lines(decode(Config, { model: { imageSize: 28, patchSize: -1 } })), ['Expecting PositiveInt at model.patchSize but instead got: -1'])
})

test('decodeOrThrow throws every problem at once', () => {
  const Config = exact({ a: PositiveInt, b: Probability })
  assert.throws(
    () => decodeOrThrow(Config, { a: 0, b: 2 }, 'cfg'),
    (e: unknown) =>
      e instanceof ConfigDecodeError &&
      e.message === 'Expecting PositiveInt at cfg.a but instead got: 0\nExpecting Probability at cfg.b but instead got: 2' &&
      e.detail.issues.length === 2,
  )
})

test('encode gives plain JSON back that decodes to the same value', () => {
  const Config = exact({ model: Model, scale: interval(OpenUnit) }, { dropProb: Probability })
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }), (p, n, drop) => {
      const input = { model: { imageSize: p * n, patchSize: p }, scale: [0.15, 0.2], ...(drop === undefined ? {} : { dropProb: drop }) }
      const value = decodeOrThrow(Config, input)
      const again = JSON.parse(JSON.stringify(Config.encode(value))) as unknown
      assert.deepEqual(again, input)
      return Config.is(value)
    }),
  )
})

test('readJsonConfig names the file, and the line and column of a JSON syntax error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jepa-config-'))
  try {
    const Config = exact({ model: Model })
    const good = join(dir, 'good.json')
    writeFileSync(good, '{ "model": { "imageSize": 28, "patchSize": 7 } }\n')
    assert.deepEqual(readJsonConfig(good, Config), E.right({ model: { imageSize: 28, patchSize: 7 } }))
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, '{\n  "model": {\n    "imageSize": 28,\n    "patchSize": 7,\n  }\n}\n')
    assert.deepEqual(lines(readJsonConfig(bad, Config)), [`${bad}: invalid JSON at line 5, column 3: Expected double-quoted property name`])
    const wrong = join(dir, 'wrong.json')
    writeFileSync(wrong, '{ "model": { "imageSize": 28, "patchSize": "7" } }')
    assert.deepEqual(lines(readJsonConfig(wrong, Config)), [`${wrong}: Expecting PositiveInt at model.patchSize but instead got: "7"`])
    const missing = join(dir, 'missing.json')
    const m = lines(readJsonConfig(missing, Config))
    assert.equal(m.length, 1)
    assert.match(m[0]!, new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read config file: ENOENT`))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('parseJson locates errors the engine does not (bad literal, early end)', () => {
  const at = (text: string): [number, number] => {
    const r = parseJson(text)
    assert.ok(E.isLeft(r), `should fail: ${text}`)
    return [r.left.line, r.left.column]
  }
  assert.deepEqual(at('{"a": tru}'), [1, 10])
  assert.deepEqual(at('{\n"a":\n 1'), [3, 3])
  assert.deepEqual(at('[1,\n 2 3]'), [2, 4])
  assert.deepEqual(at(''), [1, 1])
  // valid JSON (random values) always parses, and equals JSON.parse
  fc.assert(fc.property(fc.jsonValue(), (v) => {
    const text = JSON.stringify(v, null, 1)
    const r = parseJson(text)
    return E.isRight(r) && JSON.stringify(r.right) === JSON.stringify(JSON.parse(text))
  }))
})
