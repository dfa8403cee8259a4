/**
 * Pictures of masks over an image: the context tinted blue, each target block in its own colour,
 * every other token dimmed, optional grid lines; one panel per image (or per strategy), laid out in
 * rows, with optional titles and a legend. `renderMasks` draws an RGB raster (for `encodePng`);
 * `svg.ts` draws the same layout as SVG.
 *
 * Contract: a panel's `context` and `targets` are raster token indices of its grid; an index outside
 * `[0, H·W)` throws a RangeError naming the panel and the list. A token in a target and in the
 * context (overlap allowed or relaxed) is drawn in the target's colour striped with the context's.
 * The optional grayscale `image` (0–255) is stretched over the panel by nearest neighbour and lifted
 * to 40–255 (so a tinted black background stays distinguishable from a dimmed one); without one the
 * canvas is a flat light gray. A title may run over the following untitled panels of its row.
 *
 * @example
 * import { renderMasks, grid } from '@jepa-ts/masks'
 * import { encodePng } from '@jepa-ts/masks/node'
 * const raster = renderMasks([{ grid: grid(4), context: [0, 1, 4, 5], targets: [[10, 11]], title: 'demo' }])
 * console.assert(encodePng(raster).length > 0)
 */
import { drawText, textWidth } from './font.ts'
import type { Grid } from './grid.ts'

/** An 8-bit RGB image, row-major, 3 bytes per pixel. */
export interface Raster {
  readonly width: number
  readonly height: number
  readonly rgb: Uint8Array
}

/** A grayscale image, row-major, values 0–255. */
export interface GrayImage {
  readonly width: number
  readonly height: number
  readonly data: ArrayLike<number>
}

/** One panel: the masks of one image on its grid. */
export interface MaskPanel {
  readonly grid: Grid
  readonly context: ArrayLike<number>
  readonly targets: ReadonlyArray<ArrayLike<number>>
  readonly image?: GrayImage
  readonly title?: string
}

/** Layout and style options. */
export interface RenderOptions {
  /** Pixels per token side (default 8). */
  readonly cellSize?: number
  /** Panels per row (default: all in one row). */
  readonly columns?: number
  /** Thin lines between tokens (default true). */
  readonly gridLines?: boolean
  /** A legend row under the panels (default true). */
  readonly legend?: boolean
}

export type Rgb = readonly [number, number, number]

/** The context tint. */
export const contextColour: Rgb = [80, 150, 255]
/** Target colours, cycled when there are more targets. */
export const targetColours: ReadonlyArray<Rgb> = [
  [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75], [227, 119, 194], [188, 189, 34], [23, 190, 207],
]
/** The colour of target `j`. */
export const targetColour = (j: number): Rgb => targetColours[j % targetColours.length]!

/** Per token: whether it is context, and the first target that holds it (−1 for none). */
export interface TokenRoles {
  readonly context: Uint8Array
  readonly target: Int16Array
}

/** The role of every token of a panel; throws on indices outside the grid. */
export const tokenRoles = (panel: MaskPanel, panelIndex = 0): TokenRoles => {
  const L = panel.grid.height * panel.grid.width
  const check = (i: number, what: string): number => {
    if (!(Number.isInteger(i) && i >= 0 && i < L)) throw new RangeError(`render: panel ${panelIndex} ${what} has index ${i} outside [0, ${L})`)
    return i
  }
  const context = new Uint8Array(L)
  for (let n = 0; n < panel.context.length; n++) context[check(panel.context[n]!, 'context')] = 1
  const target = new Int16Array(L).fill(-1)
  panel.targets.forEach((t, j) => {
    for (let n = 0; n < t.length; n++) {
      const i = check(t[n]!, `target ${j}`)
      if (target[i] === -1) target[i] = j
    }
  })
  return { context, target }
}

/** Where everything goes; shared by the PNG and SVG renderers. */
export interface Layout {
  readonly width: number
  readonly height: number
  readonly cellSize: number
  readonly gap: number
  readonly titleHeight: number
  /** Top-left pixel of each panel's token area. */
  readonly origins: ReadonlyArray<{ readonly x: number; readonly y: number }>
  /** Top of the legend row, when there is one. */
  readonly legendY: number | undefined
  readonly legendTargets: number
}

const GAP = 6
const LEGEND_HEIGHT = 14

/** Computes the layout of panels. */
export const layoutPanels = (panels: ReadonlyArray<MaskPanel>, options: RenderOptions = {}): Layout => {
  if (panels.length === 0) throw new RangeError('render: at least one panel is needed')
  const cellSize = options.cellSize ?? 8
  if (!(Number.isInteger(cellSize) && cellSize >= 1)) throw new RangeError(`render: cellSize must be a positive integer, got ${cellSize}`)
  const columns = Math.min(options.columns ?? panels.length, panels.length)
  if (!(Number.isInteger(columns) && columns >= 1)) throw new RangeError(`render: columns must be a positive integer, got ${options.columns}`)
  const slotW = Math.max(...panels.map((p) => p.grid.width)) * cellSize
  const slotH = Math.max(...panels.map((p) => p.grid.height)) * cellSize
  const titleHeight = panels.some((p) => p.title !== undefined && p.title !== '') ? 14 : 0
  const rows = Math.ceil(panels.length / columns)
  const origins = panels.map((_, i) => ({
    x: GAP + (i % columns) * (slotW + GAP),
    y: GAP + Math.floor(i / columns) * (slotH + titleHeight + GAP) + titleHeight,
  }))
  const legendTargets = Math.max(...panels.map((p) => p.targets.length))
  const panelsHeight = GAP + rows * (slotH + titleHeight + GAP)
  const legend = options.legend ?? true
  return {
    width: GAP + columns * (slotW + GAP),
    height: panelsHeight + (legend ? LEGEND_HEIGHT + GAP : 0),
    cellSize,
    gap: GAP,
    titleHeight,
    origins,
    legendY: legend ? panelsHeight : undefined,
    legendTargets,
  }
}

/** Legend entries: the context, then one per target. */
export const legendEntries = (nTargets: number): ReadonlyArray<{ readonly label: string; readonly colour: Rgb }> => [
  { label: 'context', colour: contextColour },
  ...Array.from({ length: nTargets }, (_, j) => ({ label: `target ${j + 1}`, colour: targetColour(j) })),
]

/** Width a panel's title may use: its own panel, plus following panels of its row that have no title. */
const titleRoom = (panels: ReadonlyArray<MaskPanel>, p: number, layout: Layout): number => {
  const row = layout.origins[p]!.y
  let end = layout.origins[p]!.x + panels[p]!.grid.width * layout.cellSize
  for (let q = p + 1; q < panels.length && layout.origins[q]!.y === row && (panels[q]!.title ?? '') === ''; q++) {
    end = layout.origins[q]!.x + panels[q]!.grid.width * layout.cellSize
  }
  return end - layout.origins[p]!.x
}

const mix = (a: number, b: number, t: number): number => Math.round(a + (b - a) * t)

/** The picture as an RGB raster. */
export const renderMasks = (panels: ReadonlyArray<MaskPanel>, options: RenderOptions = {}): Raster => {
  const layout = layoutPanels(panels, options)
  const { width, height, cellSize } = layout
  const rgb = new Uint8Array(width * height * 3).fill(255)
  const raster: Raster = { width, height, rgb }
  const gridLines = options.gridLines ?? true
  panels.forEach((panel, p) => {
    const roles = tokenRoles(panel, p)
    const origin = layout.origins[p]!
    const pw = panel.grid.width * cellSize
    const ph = panel.grid.height * cellSize
    for (let y = 0; y < ph; y++) {
      for (let x = 0; x < pw; x++) {
        const token = Math.floor(y / cellSize) * panel.grid.width + Math.floor(x / cellSize)
        const img = panel.image
        // the image is lifted to [40, 255] so that context on a black background stays visibly tinted
        const g = img === undefined ? 200 : 40 + (215 / 255) * img.data[Math.floor((y * img.height) / ph) * img.width + Math.floor((x * img.width) / pw)]!
        const isContext = roles.context[token] === 1
        const j = roles.target[token]!
        let out: Rgb
        if (j >= 0) {
          const c = isContext && (x + y) % 6 < 2 ? contextColour : targetColour(j)
          out = [mix(g, c[0], 0.55), mix(g, c[1], 0.55), mix(g, c[2], 0.55)]
        } else if (isContext) {
          out = [mix(g, contextColour[0], 0.35), mix(g, contextColour[1], 0.35), mix(g, contextColour[2], 0.35)]
        } else {
          out = [Math.round(g * 0.3), Math.round(g * 0.3), Math.round(g * 0.3)]
        }
        if (gridLines && (x % cellSize === 0 || y % cellSize === 0)) out = [Math.round(out[0] * 0.75), Math.round(out[1] * 0.75), Math.round(out[2] * 0.75)]
        rgb.set(out, ((origin.y + y) * width + origin.x + x) * 3)
      }
    }
    if (panel.title !== undefined && panel.title !== '') {
      const scale = textWidth(panel.title, 2) <= titleRoom(panels, p, layout) ? 2 : 1
      drawText(raster, panel.title, origin.x, origin.y - layout.titleHeight + (scale === 2 ? 1 : 4), [20, 20, 20], scale)
    }
  })
  if (layout.legendY !== undefined) {
    let x = layout.gap
    for (const entry of legendEntries(layout.legendTargets)) {
      for (let dy = 0; dy < 10; dy++) for (let dx = 0; dx < 10; dx++) {
        const px = x + dx
        const py = layout.legendY + 2 + dy
        if (px < width && py < height) rgb.set(entry.colour, (py * width + px) * 3)
      }
      x += 14
      x += drawText(raster, entry.label, x, layout.legendY + 4, [20, 20, 20], 1) + 10
    }
  }
  return raster
}
