import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { contextColour, grid, layoutPanels, renderMasks, targetColour, textWidth, type MaskPanel } from '@jepa-ts/masks'
import { renderMasksSvg } from '@jepa-ts/masks/node'

const panelArb: fc.Arbitrary<MaskPanel> = fc
  .record({ h: fc.integer({ min: 1, max: 8 }), w: fc.integer({ min: 1, max: 8 }) })
  .chain(({ h, w }) =>
    fc.record({
      grid: fc.constant(grid(h, w)),
      context: fc.uniqueArray(fc.integer({ min: 0, max: h * w - 1 }), { maxLength: h * w }),
      targets: fc.array(fc.uniqueArray(fc.integer({ min: 0, max: h * w - 1 }), { maxLength: h * w }), { maxLength: 4 }),
    }),
  )

const mix = (a: number, b: number, t: number): number => Math.round(a + (b - a) * t)

test('law: every token is drawn in the colour of its role (dimmed, context, first target, striped overlap)', () => {
  fc.assert(
    fc.property(panelArb, (panel) => {
      const cell = 6
      const raster = renderMasks([panel], { cellSize: cell, gridLines: false, legend: false })
      const { x: ox, y: oy } = layoutPanels([panel], { cellSize: cell, legend: false }).origins[0]!
      const ctx = new Set(Array.from(panel.context))
      for (let i = 0; i < panel.grid.height * panel.grid.width; i++) {
        const j = panel.targets.findIndex((t) => Array.from(t).includes(i))
        const colours = new Set<string>()
        for (let dy = 0; dy < cell; dy++) for (let dx = 0; dx < cell; dx++) {
          const x = ox + (i % panel.grid.width) * cell + dx
          const y = oy + Math.floor(i / panel.grid.width) * cell + dy
          colours.add([...raster.rgb.subarray((y * raster.width + x) * 3, (y * raster.width + x) * 3 + 3)].join())
        }
        const tint = (c: readonly number[], t: number): string => c.map((v) => mix(200, v, t)).join()
        const expected =
          j >= 0 ? (ctx.has(i) ? [tint(targetColour(j), 0.55), tint(contextColour, 0.55)] : [tint(targetColour(j), 0.55)])
          : ctx.has(i) ? [tint(contextColour, 0.35)] : ['60,60,60']
        assert.deepEqual([...colours].sort(), expected.sort(), `token ${i}`)
      }
    }),
    { numRuns: 100 },
  )
})

test('law: the SVG covers every token exactly once, with the class of its role', () => {
  fc.assert(
    fc.property(panelArb, (panel) => {
      const s = 4
      const svg = renderMasksSvg([panel], { cellSize: s })
      const covered = new Map<number, string>()
      for (const m of svg.matchAll(/<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)" class="([^"]+)"\/>/g)) {
        const [x, y, w] = [Number(m[1]) / s, Number(m[2]) / s, Number(m[3]) / s]
        for (let c = x; c < x + w; c++) {
          const i = y * panel.grid.width + c
          assert.ok(!covered.has(i), `token ${i} drawn twice`)
          covered.set(i, m[5]!)
        }
      }
      const ctx = new Set(Array.from(panel.context))
      for (let i = 0; i < panel.grid.height * panel.grid.width; i++) {
        const j = panel.targets.findIndex((t) => Array.from(t).includes(i))
        const expected = j >= 0 ? (ctx.has(i) ? `t${j} o` : `t${j}`) : ctx.has(i) ? 'c' : 'n'
        assert.equal(covered.get(i), expected, `token ${i}`)
      }
    }),
    { numRuns: 100 },
  )
})

test('layout: panels in rows of `columns`, titles and legend; images stretched; bad indices named', () => {
  const p: MaskPanel = { grid: grid(4, 6), context: [0], targets: [[1]], title: 'a title' }
  const r = renderMasks([p, p, p], { cellSize: 5, columns: 2 })
  // 6 px gaps; slot 30×20; one 14 px title band per row; legend 14 px + gap
  assert.deepEqual([r.width, r.height], [6 + 2 * (30 + 6), 6 + 2 * (20 + 14 + 6) + 14 + 6])
  assert.equal(r.rgb.length, r.width * r.height * 3)
  const img = { width: 2, height: 2, data: [0, 255, 255, 0] }
  const withImage = renderMasks([{ grid: grid(2), context: [0, 1, 2, 3], targets: [], image: img }], { cellSize: 4, gridLines: false, legend: false })
  const px = (x: number, y: number) => [...withImage.rgb.subarray((y * withImage.width + x) * 3, (y * withImage.width + x) * 3 + 3)]
  assert.deepEqual(px(6, 6), contextColour.map((c) => mix(40, c, 0.35)))
  assert.deepEqual(px(6 + 4, 6), contextColour.map((c) => mix(255, c, 0.35)))
  assert.throws(() => renderMasks([p, { ...p, targets: [[0], [24]] }]), /panel 1 target 1 has index 24 outside \[0, 24\)/)
  assert.throws(() => renderMasks([]), /at least one panel/)
  assert.equal(textWidth('abc', 2), 22)
  assert.match(renderMasksSvg([p]), /<text x="0" y="-3" font-size="11">a title<\/text>/)
})
