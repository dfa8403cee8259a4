/**
 * The patch grid a mask lives on: `height` rows × `width` columns of tokens, raster (row-major)
 * order, so token `i` sits at row `⌊i / width⌋`, column `i mod width`. Grids need not be square.
 *
 * Contract: a `Grid` always has positive integer sides (the constructor throws otherwise, and
 * `parseGrid` returns a readable `Left`). Every index any sampler in this package returns is an
 * integer in `[0, height·width)`.
 *
 * @example
 * import { grid, parseGrid, tokenCount } from '@jepa-ts/masks'
 * console.assert(tokenCount(grid(14)) === 196)
 * console.assert(tokenCount(grid(14, 10)) === 140)
 * console.assert(parseGrid('14x10')._tag === 'Right')
 */
import * as E from 'fp-ts/lib/Either.js'

/** A patch grid: `height` rows and `width` columns of tokens. */
export interface Grid {
  readonly height: number
  readonly width: number
}

const isPositiveInt = (n: number): boolean => Number.isSafeInteger(n) && n > 0

/** A grid of `height × width` tokens (square when `width` is left out); throws on non-positive or fractional sides. */
export const grid = (height: number, width: number = height): Grid => {
  if (!isPositiveInt(height) || !isPositiveInt(width)) {
    throw new RangeError(`grid: expected positive integer sides, got ${height}×${width}`)
  }
  return { height, width }
}

/** Number of tokens, `height · width`. */
export const tokenCount = (g: Grid): number => g.height * g.width

/** `14×14`, `14×10`: the text form used in errors and pictures. */
export const formatGrid = (g: Grid): string => `${g.height}×${g.width}`

/** Parses `"14"` (square) or `"14x10"` / `"14×10"` (height × width). */
export const parseGrid = (text: string): E.Either<string, Grid> => {
  const m = /^\s*(\d+)\s*(?:[x×]\s*(\d+))?\s*$/.exec(text)
  if (m === null) return E.left(`expected a grid like 14 or 14x10 (height x width), got ${JSON.stringify(text)}`)
  const height = Number(m[1])
  const width = m[2] === undefined ? height : Number(m[2])
  if (!isPositiveInt(height) || !isPositiveInt(width)) {
    return E.left(`expected positive grid sides, got ${JSON.stringify(text)}`)
  }
  return E.right({ height, width })
}
