/**
 * Single-block masks, the I-JEPA ablation's "block" strategy: one large target block per image
 * (paper: scale 0.6), and the context is everything else.
 *
 * Contract: scale and aspect are drawn per image from two independent uniforms and sized and placed
 * with the `corrected` rule of `block.ts` (the block may reach the last row and column). Context and
 * target are disjoint and cover the grid. Randomness: image `b` uses `fold(fold(batchKey, 'block'), b)`.
 */
import { fold, uniform64, type Key } from '@jepa-ts/core'
import { blockIndices, blockSize, placements, uniformIndex, type Block } from './block.ts'
import type { Grid } from './grid.ts'
import { complementOf, type ImageMasks } from './image-masks.ts'
import type { BlockSettings } from './settings.ts'

/** One image: a target block and its complement as context. */
export const singleBlockImage = (imageKey: Key, g: Grid, s: BlockSettings): ImageMasks => {
  const u = uniform64(imageKey, 4)
  const scale = s.targetScale[0] + u[0]! * (s.targetScale[1] - s.targetScale[0])
  const aspect = s.targetAspect[0] + u[1]! * (s.targetAspect[1] - s.targetAspect[0])
  const size = blockSize('corrected', g, scale, aspect)
  const target: Block = {
    top: uniformIndex(u[2]!, placements('corrected', g.height, size.height)),
    left: uniformIndex(u[3]!, placements('corrected', g.width, size.width)),
    ...size,
  }
  const targetIdx = blockIndices(g, target)
  const marked = new Uint8Array(g.height * g.width)
  for (const i of targetIdx) marked[i] = 1
  return { context: complementOf(marked), targets: [targetIdx], blocks: { context: undefined, targets: [target] }, relaxation: undefined }
}

/** One batch of single-block masks. */
export const singleBlockBatch = (batchKey: Key, g: Grid, s: BlockSettings, batchSize: number): ImageMasks[] => {
  const k = fold(batchKey, 'block')
  return Array.from({ length: batchSize }, (_, b) => singleBlockImage(fold(k, b), g, s))
}
