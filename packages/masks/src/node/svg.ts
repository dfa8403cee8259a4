/**
 * The SVG form of `renderMasks`: the same layout and colours, as plain strings. The grayscale image
 * is embedded once per panel as a small PNG data URI (drawn pixelated); token overlays are rects with
 * a CSS class per role (`n` dimmed, `c` context, `t0…` targets, `o` context outline on an overlap;
 * runs of equal class along a row are merged), grid lines one path, titles and legend real text.
 *
 * Contract: returns a complete standalone SVG document; throws like `renderMasks` on bad indices.
 */
import { encodePng } from './png.ts'
import { contextColour, layoutPanels, legendEntries, targetColours, tokenRoles, type MaskPanel, type RenderOptions, type Rgb } from '../render.ts'

const css = (c: Rgb): string => `rgb(${c[0]},${c[1]},${c[2]})`
const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

const imageHref = (panel: MaskPanel): string | undefined => {
  const img = panel.image
  if (img === undefined) return undefined
  const rgb = new Uint8Array(img.width * img.height * 3)
  for (let i = 0; i < img.width * img.height; i++) rgb.fill(Math.round(40 + (215 / 255) * Math.max(0, Math.min(255, img.data[i]!))), 3 * i, 3 * i + 3)
  return `data:image/png;base64,${Buffer.from(encodePng({ width: img.width, height: img.height, rgb })).toString('base64')}`
}

/** The picture as an SVG document. */
export const renderMasksSvg = (panels: ReadonlyArray<MaskPanel>, options: RenderOptions = {}): string => {
  const layout = layoutPanels(panels, options)
  const { cellSize: s } = layout
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" font-family="sans-serif">`,
    `<style>.n{fill:black;fill-opacity:0.7}.c{fill:${css(contextColour)};fill-opacity:0.35}${targetColours
      .map((c, j) => `.t${j}{fill:${css(c)};fill-opacity:0.55}`)
      .join('')}.o{stroke:${css(contextColour)};stroke-width:${Math.max(1, s / 4)}}</style>`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ]
  panels.forEach((panel, p) => {
    const roles = tokenRoles(panel, p)
    const { x, y } = layout.origins[p]!
    const { height: H, width: W } = panel.grid
    const pw = W * s
    const ph = H * s
    out.push(`<g transform="translate(${x},${y})">`)
    if (panel.title !== undefined && panel.title !== '') out.push(`<text x="0" y="-3" font-size="11">${escapeXml(panel.title)}</text>`)
    const href = imageHref(panel)
    out.push(href === undefined
      ? `<rect width="${pw}" height="${ph}" fill="rgb(200,200,200)"/>`
      : `<image width="${pw}" height="${ph}" preserveAspectRatio="none" style="image-rendering:pixelated" href="${href}"/>`)
    const classOf = (i: number): string => {
      const j = roles.target[i]!
      if (j >= 0) return roles.context[i] === 1 ? `t${j % targetColours.length} o` : `t${j % targetColours.length}`
      return roles.context[i] === 1 ? 'c' : 'n'
    }
    for (let r = 0; r < H; r++) {
      let c = 0
      while (c < W) {
        const cls = classOf(r * W + c)
        let end = c + 1
        const merge = !cls.endsWith(' o') // overlapping tokens keep their own outline
        while (merge && end < W && classOf(r * W + end) === cls) end++
        out.push(`<rect x="${c * s}" y="${r * s}" width="${(end - c) * s}" height="${s}" class="${cls}"/>`)
        c = end
      }
    }
    if (options.gridLines ?? true) {
      const lines: string[] = []
      for (let r = 0; r <= H; r++) lines.push(`M0 ${r * s}H${pw}`)
      for (let c = 0; c <= W; c++) lines.push(`M${c * s} 0V${ph}`)
      out.push(`<path d="${lines.join('')}" stroke="black" stroke-opacity="0.25" stroke-width="0.5" fill="none"/>`)
    }
    out.push('</g>')
  })
  if (layout.legendY !== undefined) {
    let x = layout.gap
    for (const entry of legendEntries(layout.legendTargets)) {
      out.push(`<rect x="${x}" y="${layout.legendY + 2}" width="10" height="10" fill="${css(entry.colour)}"/>`)
      out.push(`<text x="${x + 14}" y="${layout.legendY + 11}" font-size="10">${escapeXml(entry.label)}</text>`)
      x += 14 + entry.label.length * 6 + 12
    }
  }
  out.push('</svg>')
  return out.join('\n') + '\n'
}
