import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { keyOf } from '@jepa-ts/core'
import { type ImageDataset, imageAt, orThrow, syntheticShapes, objectRadii, SHAPE_CLASSES, numClasses } from '@jepa-ts/data'

/** 8-connected components of non-zero pixels (summed over channels): their pixel counts and bounding boxes. */
const components = (ds: ImageDataset, index: number): { area: number; x0: number; x1: number; y0: number; y1: number }[] => {
  const { height: h, width: w, channels: c } = ds
  const img = imageAt(ds, index)
  const on = (x: number, y: number): boolean => {
    for (let k = 0; k < c; k++) if (img[(y * w + x) * c + k]! > 0) return true
    return false
  }
  const seen = new Uint8Array(h * w)
  const out: { area: number; x0: number; x1: number; y0: number; y1: number }[] = []
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (seen[y * w + x] || !on(x, y)) continue
      const comp = { area: 0, x0: x, x1: x, y0: y, y1: y }
      const stack = [[x, y] as const]
      seen[y * w + x] = 1
      while (stack.length > 0) {
        const [px, py] = stack.pop()!
        comp.area++
        comp.x0 = Math.min(comp.x0, px); comp.x1 = Math.max(comp.x1, px)
        comp.y0 = Math.min(comp.y0, py); comp.y1 = Math.max(comp.y1, py)
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const qx = px + dx
            const qy = py + dy
            if (qx < 0 || qy < 0 || qx >= w || qy >= h || seen[qy * w + qx] || !on(qx, qy)) continue
            seen[qy * w + qx] = 1
            stack.push([qx, qy])
          }
        }
      }
      out.push(comp)
    }
  }
  return out
}

const options = fc.record({
  seed: fc.nat(),
  size: fc.integer({ min: 24, max: 48 }),
  maxObjects: fc.integer({ min: 1, max: 3 }),
  channels: fc.constantFrom(1 as const, 3 as const),
  classes: fc.shuffledSubarray([...SHAPE_CLASSES], { minLength: 1 }),
})

test('same key, identical bytes and labels; a different key, different images', () => {
  fc.assert(fc.property(options, fc.nat(), ({ seed, ...o }, other) => {
    const a = orThrow(syntheticShapes(keyOf(seed), { n: 6, ...o }))
    const b = orThrow(syntheticShapes(keyOf(seed), { n: 6, ...o }))
    assert.deepEqual(a.images, b.images)
    assert.deepEqual(a.labels, b.labels)
    if (other !== seed) assert.notDeepEqual(orThrow(syntheticShapes(keyOf(other), { n: 6, ...o })).images, a.images)
  }), { numRuns: 40 })
})

test('image i depends only on (key, i): n images are a prefix of n + m', () => {
  fc.assert(fc.property(fc.nat(), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 5 }), (seed, n, m) => {
    const small = orThrow(syntheticShapes(keyOf(seed), { n }))
    const big = orThrow(syntheticShapes(keyOf(seed), { n: n + m }))
    assert.deepEqual(small.images, big.images.subarray(0, small.images.length))
    for (const f of Object.keys(small.labels)) assert.deepEqual(small.labels[f], big.labels[f]!.subarray(0, n))
  }), { numRuns: 30 })
})

test('the number of 8-connected components equals the count label; position bins are the largest object\'s', () => {
  fc.assert(fc.property(options, ({ seed, ...o }) => {
    const ds = orThrow(syntheticShapes(keyOf(seed), { n: 8, ...o }))
    for (let i = 0; i < ds.size; i++) {
      const comps = components(ds, i)
      assert.equal(comps.length, ds.labels.count![i], `image ${i}: ${comps.length} components, count label ${ds.labels.count![i]}`)
      const largest = Math.max(...comps.map((c) => c.area))
      const bins = comps
        .filter((c) => c.area === largest)
        .map((c) => [Math.floor((((c.x0 + c.x1) / 2) * 3) / o.size), Math.floor((((c.y0 + c.y1) / 2) * 3) / o.size)].join(','))
      assert.ok(bins.includes(`${ds.labels.posX![i]},${ds.labels.posY![i]}`), `image ${i}: label bin ${ds.labels.posX![i]},${ds.labels.posY![i]} not among ${bins}`)
    }
  }), { numRuns: 40 })
})

test('labels lie in their ranges and every value occurs', () => {
  const ds = orThrow(syntheticShapes(keyOf(11), { n: 400 }))
  assert.deepEqual(Object.keys(ds.labels).sort(), ['count', 'posX', 'posY', 'shape'])
  assert.deepEqual(ds.classNames.shape, ['circle', 'square', 'triangle', 'cross'])
  assert.deepEqual(ds.classNames.posX, ['left', 'center', 'right'])
  const seen = (f: string): number[] => [...new Set(ds.labels[f])].sort()
  assert.deepEqual(seen('shape'), [0, 1, 2, 3])
  assert.deepEqual(seen('count'), [1, 2, 3])
  assert.deepEqual(seen('posX'), [0, 1, 2])
  assert.deepEqual(seen('posY'), [0, 1, 2])
  assert.equal(numClasses(ds, 'count'), 4)
  assert.equal(ds.images.length, 400 * 32 * 32)
})

test('each shape class draws its own silhouette (a single object of the largest size differs by class)', () => {
  const { max } = objectRadii(32)
  const areas = new Map<number, Set<number>>()
  const ds = orThrow(syntheticShapes(keyOf(5), { n: 300, maxObjects: 1 }))
  for (let i = 0; i < ds.size; i++) {
    const [comp] = components(ds, i)
    if (comp!.x1 - comp!.x0 !== 2 * max) continue
    const cls = ds.labels.shape![i]!
    if (!areas.has(cls)) areas.set(cls, new Set())
    areas.get(cls)!.add(comp!.area)
  }
  assert.equal(areas.size, 4)
  const byClass = [...areas.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => [...s])
  // One area per class at a fixed size, and the four classes have four different areas.
  assert.ok(byClass.every((s) => s.length === 1), JSON.stringify(byClass))
  assert.equal(new Set(byClass.map((s) => s[0])).size, 4)
  assert.equal(byClass[1]![0], (2 * max + 1) ** 2) // the square fills its box
})

test('bad options are errors naming the option', () => {
  const err = (o: Parameters<typeof syntheticShapes>[1]): string => {
    const r = syntheticShapes(keyOf(0), o)
    assert.ok(r._tag === 'Left', `expected an error for ${JSON.stringify(o)}`)
    return r.left.message
  }
  assert.match(err({ n: -1 }), /options\.n: expected a non-negative integer, got -1/)
  assert.match(err({ n: 1, size: 4 }), /options\.size/)
  assert.match(err({ n: 1, maxObjects: 40 }), /options\.maxObjects: expected an integer in \[1, \d+\] \(objects must fit apart in 32×32\), got 40/)
  assert.match(err({ n: 1, classes: [] }), /options\.classes/)
  // @ts-expect-error an unknown shape class is a type error too
  assert.match(err({ n: 1, classes: ['hexagon'] }), /options\.classes: expected shape classes among circle, square, triangle, cross, got "hexagon"/)
  // @ts-expect-error channels is 1 or 3
  assert.match(err({ n: 1, channels: 2 }), /options\.channels: expected 1 or 3/)
  assert.match(err({ n: 1, positionBins: 0 }), /options\.positionBins/)
})
