/**
 * Rectangular blocks of tokens on a patch grid, and the two rules that size and place them.
 *
 * Contract: a `Block` is `height × width` tokens whose top-left token is (`top`, `left`); a block
 * returned by a sampler always lies inside its grid (`top + height ≤ H`, `left + width ≤ W`).
 * `blockIndices` lists its tokens in ascending raster order.
 *
 * Sizing (DESIGN §3.3 step 2), from a drawn scale `s` and aspect ratio `ar`:
 * `keep = ⌊H·W·s⌋`, `h = round(√(keep·ar))`, `w = round(√(keep/ar))` (Python's round: halves go to
 * the even neighbour), then
 * - `reference` (the I-JEPA MaskCollator): `h ≤ H−1`, `w ≤ W−1` — a block never spans the grid;
 * - `corrected`: `1 ≤ h ≤ H`, `1 ≤ w ≤ W` — full-height or full-width blocks are possible.
 *
 * Placement (step 3): `top` is uniform over `[0, H−h)` in the reference (an exclusive bound, so the
 * last row can never be covered) and over `[0, H−h]` when corrected; the same for `left`.
 *
 * @example
 * import { blockSize, blockIndices, grid } from '@jepa-ts/masks'
 * const g = grid(14)
 * const size = blockSize('reference', g, 0.15, 0.75) // keep = 29 → 5 × 6
 * console.assert(size.height === 5 && size.width === 6)
 * console.assert(blockIndices(g, { top: 0, left: 0, ...size })[6] === 14)
 */
import type { Grid } from './grid.ts'

/** Which sizing and placement rule: the reference collator's, or the corrected one. */
export type BlockRule = 'reference' | 'corrected'

/** A block's size in tokens. */
export interface BlockSize {
  readonly height: number
  readonly width: number
}

/** A placed block: its size and its top-left token. */
export interface Block extends BlockSize {
  readonly top: number
  readonly left: number
}

/** Python 3's `round`: to the nearest integer, halves to the even neighbour. */
export const roundHalfEven = (x: number): number => {
  const f = Math.floor(x)
  const d = x - f
  if (d > 0.5) return f + 1
  if (d < 0.5) return f
  return f % 2 === 0 ? f : f + 1
}

/** The block size for a drawn scale and aspect ratio under a rule (see the module doc). */
export const blockSize = (rule: BlockRule, g: Grid, scale: number, aspect: number): BlockSize => {
  const keep = Math.floor(g.height * g.width * scale)
  const h = roundHalfEven(Math.sqrt(keep * aspect))
  const w = roundHalfEven(Math.sqrt(keep / aspect))
  return rule === 'reference'
    ? { height: Math.min(h, g.height - 1), width: Math.min(w, g.width - 1) }
    : { height: Math.max(1, Math.min(h, g.height)), width: Math.max(1, Math.min(w, g.width)) }
}

/** How many top (or left) positions a block side of `side` tokens has on a grid side of `extent`. */
export const placements = (rule: BlockRule, extent: number, side: number): number =>
  rule === 'reference' ? extent - side : extent - side + 1

/** Maps a uniform `u ∈ [0, 1)` to an integer in `[0, n)`, as `randint(0, n)` does. */
export const uniformIndex = (u: number, n: number): number => Math.min(n - 1, Math.floor(u * n))

/** The tokens of a block in ascending raster order. */
export const blockIndices = (g: Grid, b: Block): Int32Array => {
  const out = new Int32Array(b.height * b.width)
  let n = 0
  for (let r = b.top; r < b.top + b.height; r++) {
    for (let c = b.left; c < b.left + b.width; c++) out[n++] = r * g.width + c
  }
  return out
}

/** True when token (row, col) lies in the block. */
export const blockContains = (b: Block, row: number, col: number): boolean =>
  row >= b.top && row < b.top + b.height && col >= b.left && col < b.left + b.width

/** True when the block lies inside the grid. */
export const blockInside = (g: Grid, b: Block): boolean =>
  Number.isInteger(b.top) && Number.isInteger(b.left) && b.top >= 0 && b.left >= 0 && b.height >= 0 && b.width >= 0 &&
  b.top + b.height <= g.height && b.left + b.width <= g.width
