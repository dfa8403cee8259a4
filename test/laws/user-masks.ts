/**
 * A small user-style masking strategy for the law tests (not a test file): one random target block
 * of about `scale` of the grid, the context its complement. Each planted bug is a slip a user could make.
 */
import { fold, randint, type Key } from '@jepa-ts/core'
import { type Grid, type ImageMasks, tokenCount } from '@jepa-ts/masks'
import type { MaskStrategy } from '@jepa-ts/laws'

/** How the strategy goes wrong. */
export type MaskBug = 'none' | 'off-by-one-placement' | 'context-not-cut' | 'duplicate-targets' | 'side-from-scale' | 'math-random'

const SCALE = 0.25

/** Block side lengths for a scale: a square of ≈ scale·H·W tokens (the bug: scale·side per side). */
const sides = (g: Grid, bug: MaskBug): readonly [number, number] =>
  bug === 'side-from-scale'
    ? [Math.max(1, Math.round(SCALE * g.height)), Math.max(1, Math.round(SCALE * g.width))]
    : [Math.max(1, Math.min(g.height, Math.round(Math.sqrt(SCALE * tokenCount(g))))), Math.max(1, Math.min(g.width, Math.round(Math.sqrt(SCALE * tokenCount(g)))))]

/** Token count range the strategy promises for its target on a grid. */
export const promisedTarget = (g: Grid): readonly [number, number] => {
  const [h, w] = sides(g, 'none')
  return [h * w, h * w]
}

const image = (key: Key, g: Grid, bug: MaskBug): ImageMasks => {
  const [h, w] = sides(g, bug)
  const extra = bug === 'off-by-one-placement' ? 1 : 0
  const pick = (k: Key, n: number): number => (bug === 'math-random' ? Math.floor(Math.random() * n) : randint(k, 0, n))
  const top = pick(fold(key, 'top'), g.height - h + 1 + extra)
  const left = pick(fold(key, 'left'), g.width - w + 1)
  const target: number[] = []
  for (let r = top; r < top + h; r++) for (let c = left; c < left + w; c++) target.push(r * g.width + c)
  if (bug === 'duplicate-targets') target.push(target[target.length - 1]!) // a second block "merged" without removing shared tokens
  const inTarget = new Set(target)
  const context = [...Array(tokenCount(g)).keys()].filter((t) => bug === 'context-not-cut' || !inTarget.has(t))
  return { context: Int32Array.from(context), targets: [Int32Array.from(target)], blocks: undefined, relaxation: undefined }
}

/** The strategy, with a planted bug or none. */
export const oneBlockStrategy = (bug: MaskBug = 'none'): MaskStrategy => ({
  name: bug === 'none' ? 'one-block' : `one-block (${bug})`,
  sample: (key, g, batchSize) => Array.from({ length: batchSize }, (_, b) => image(fold(key, b), g, bug)),
  nTargets: 1,
  allowOverlap: false,
  targetTokens: promisedTarget,
  contextTokens: (g) => [tokenCount(g) - promisedTarget(g)[1], tokenCount(g) - promisedTarget(g)[0]],
})
