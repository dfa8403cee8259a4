/**
 * A 3×5 pixel bitmap font for labels in PNG pictures (digits, A–Z, a little punctuation); lower case
 * is drawn as upper case and unknown characters as `?`.
 *
 * Contract: `drawText` writes only inside the raster and returns the width it used; `textWidth` is
 * that width without drawing: 4 × scale pixels per character (3 + 1 spacing), minus the last spacing.
 */
import type { Raster } from './render.ts'

const GLYPHS: Readonly<Record<string, string>> = {
  A: '010101111101101', B: '110101110101110', C: '011100100100011', D: '110101101101110', E: '111100110100111',
  F: '111100110100100', G: '011100101101011', H: '101101111101101', I: '111010010010111', J: '001001001101010',
  K: '101101110101101', L: '100100100100111', M: '101111111101101', N: '110101101101101', O: '010101101101010',
  P: '110101110100100', Q: '010101101110011', R: '110101110101101', S: '011100010001110', T: '111010010010010',
  U: '101101101101111', V: '101101101101010', W: '101101111111101', X: '101101010101101', Y: '101101010010010',
  Z: '111001010100111', '0': '111101101101111', '1': '010110010010111', '2': '110001010100111', '3': '110001010001110',
  '4': '101101111001001', '5': '111100110001110', '6': '011100111101111', '7': '111001010010010', '8': '111101111101111',
  '9': '111101111001110', '-': '000000111000000', '.': '000000000000010', ':': '000010000010000', '(': '001010010010001',
  ')': '100010010010100', '×': '000101010101000', '/': '001001010100100', '=': '000111000111000', '%': '101001010100101',
  ',': '000000000010100', ' ': '000000000000000', '?': '111001010000010',
}

/** Width in pixels of `text` at `scale`. */
export const textWidth = (text: string, scale: number): number => (text.length === 0 ? 0 : (4 * text.length - 1) * scale)

/** Draws `text` with its top-left at (x, y) in colour `rgb`; returns the width drawn. */
export const drawText = (raster: Raster, text: string, x: number, y: number, rgb: readonly [number, number, number], scale = 1): number => {
  let cx = x
  for (const ch of text) {
    const glyph = GLYPHS[ch.toUpperCase()] ?? GLYPHS['?']!
    for (let r = 0; r < 5; r++) {
      for (let c = 0; c < 3; c++) {
        if (glyph[r * 3 + c] !== '1') continue
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            const px = cx + c * scale + dx
            const py = y + r * scale + dy
            if (px < 0 || py < 0 || px >= raster.width || py >= raster.height) continue
            raster.rgb.set(rgb, (py * raster.width + px) * 3)
          }
        }
      }
    }
    cx += 4 * scale
  }
  return textWidth(text, scale)
}
