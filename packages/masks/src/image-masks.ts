/**
 * What a sampler draws for one image, before the collator cuts lengths to the batch minimum.
 *
 * Contract: `context` and every `targets[j]` are ascending, duplicate-free raster indices in
 * `[0, H·W)`. Unless the settings allow overlap or a `relaxation` is reported, `context` shares no
 * token with any target. `blocks` records the rectangles and the drawn block sizes where the
 * strategy has them (multi-block, block, rasterized), for tests and pictures.
 */
import type { Block, BlockSize } from './block.ts'

/** A reported relaxation: the context could not keep more than `minKeep` tokens outside every target. */
export interface Relaxation {
  /** Image index within the batch. */
  readonly image: number
  /** Targets whose region the context was finally allowed to overlap (the last ones first, as in the reference). */
  readonly droppedTargets: ReadonlyArray<number>
  /** Context placements tried in all, the accepted one included. */
  readonly attempts: number
}

/** A drawn block size together with the scale and aspect ratio it came from. */
export interface DrawnSize extends BlockSize {
  readonly scale: number
  readonly aspect: number
}

/** The rectangles behind a mask. */
export interface MaskBlocks {
  /** The context rectangle before target regions were removed (absent when the context is a complement). */
  readonly context: Block | undefined
  readonly targets: ReadonlyArray<Block>
}

/** One image's masks. */
export interface ImageMasks {
  readonly context: Int32Array
  readonly targets: ReadonlyArray<Int32Array>
  readonly blocks: MaskBlocks | undefined
  readonly relaxation: Relaxation | undefined
}

/** The tokens of `[0, L)` not marked in `marked`, ascending. */
export const complementOf = (marked: Uint8Array): Int32Array => {
  let n = 0
  for (let i = 0; i < marked.length; i++) if (marked[i] === 0) n++
  const out = new Int32Array(n)
  let j = 0
  for (let i = 0; i < marked.length; i++) if (marked[i] === 0) out[j++] = i
  return out
}
