/**
 * Rasterized (quadrant) masks, the I-JEPA ablation's "rasterized" strategy: the grid is cut into four
 * quadrants at row ⌊H/2⌋ and column ⌊W/2⌋; one quadrant, uniform per image, is the context and the
 * other three, in quadrant order (top-left, top-right, bottom-left, bottom-right), are the targets.
 *
 * Contract: needs H ≥ 2 and W ≥ 2. Context and targets are disjoint and together cover the grid.
 * On odd grids the quadrants differ in size; the collator cuts them to the batch minimum.
 * Randomness: image `b`'s quadrant from `fold(fold(batchKey, 'quadrant'), b)`.
 */
import { fold, uniform64, type Key } from '@jepa-ts/core'
import { blockIndices, uniformIndex, type Block } from './block.ts'
import type { Grid } from './grid.ts'
import type { ImageMasks } from './image-masks.ts'

/** The four quadrants of a grid, in order top-left, top-right, bottom-left, bottom-right. */
export const quadrants = (g: Grid): readonly [Block, Block, Block, Block] => {
  const h0 = Math.floor(g.height / 2)
  const w0 = Math.floor(g.width / 2)
  const h1 = g.height - h0
  const w1 = g.width - w0
  return [
    { top: 0, left: 0, height: h0, width: w0 },
    { top: 0, left: w0, height: h0, width: w1 },
    { top: h0, left: 0, height: h1, width: w0 },
    { top: h0, left: w0, height: h1, width: w1 },
  ]
}

/** One image: quadrant `contextQuadrant` is the context, the other three the targets. */
export const rasterizedImage = (g: Grid, contextQuadrant: number): ImageMasks => {
  const qs = quadrants(g)
  const context = qs[contextQuadrant]
  if (context === undefined) throw new RangeError(`rasterized: contextQuadrant must be 0..3, got ${contextQuadrant}`)
  const targetBlocks = qs.filter((_, i) => i !== contextQuadrant)
  return {
    context: blockIndices(g, context),
    targets: targetBlocks.map((b) => blockIndices(g, b)),
    blocks: { context, targets: targetBlocks },
    relaxation: undefined,
  }
}

/** One batch of rasterized masks. */
export const rasterizedBatch = (batchKey: Key, g: Grid, batchSize: number): ImageMasks[] => {
  const k = fold(batchKey, 'quadrant')
  return Array.from({ length: batchSize }, (_, b) => rasterizedImage(g, uniformIndex(uniform64(fold(k, b), 1)[0]!, 4)))
}
