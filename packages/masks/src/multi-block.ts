/**
 * I-JEPA multi-block masks (DESIGN §3.3), in two named variants.
 *
 * `multi-block` reproduces the reference `MaskCollator` (facebookresearch/ijepa) step by step:
 * 1. block sizes are drawn once per batch: ONE uniform `u` gives both the scale and the aspect ratio
 *    (`s = s0 + u(s1−s0)`, `ar = a0 + u(a1−a0)`), sized by the `reference` rule of `block.ts`
 *    (`h ≤ H−1`, `w ≤ W−1`); the target size first, then the context size;
 * 2. positions are drawn per image with an exclusive upper bound (`top ∈ [0, H−h)`);
 * 3. a target block is accepted when it has more than `minKeep` tokens (as the reference checks);
 * 4. the context block is cut by the complement of every target; it is accepted when more than
 *    `minKeep` tokens remain. After `triesPerRelaxation` (20) failures the LAST target's constraint
 *    is dropped, then the one before, … — each drop is reported in `relaxation`, never silent.
 *
 * `multi-block-corrected` changes exactly three things: scale and aspect come from two independent
 * uniforms; blocks may span the grid (`1 ≤ h ≤ H`); positions include the last row and column
 * (`top ∈ [0, H−h]`). So the context is no longer forced to the top-left (H−1)×(W−1) square at large
 * scales, and the last row and column can be context or target. Targets need at least one token.
 *
 * Randomness: sizes from `fold(batchKey, 'block-sizes')`; image `b`'s positions from
 * `fold(fold(batchKey, 'positions'), b)`; every placement attempt folds in its own counter. Same key
 * → same masks.
 *
 * Sampling never loops forever: when even the context block with every constraint dropped cannot keep
 * more than `minKeep` tokens, `MaskSamplingError` is thrown (`checkSettings` rejects such settings
 * for a grid up front).
 */
import { fold, uniform64, type Key } from '@jepa-ts/core'
import { blockIndices, blockSize, placements, uniformIndex, type Block, type BlockRule } from './block.ts'
import type { Grid } from './grid.ts'
import type { DrawnSize, ImageMasks, Relaxation } from './image-masks.ts'
import type { MultiBlockSettings, Range } from './settings.ts'

/** Thrown when settings make a sampler unable to produce a valid mask (it never loops forever). */
export class MaskSamplingError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MaskSamplingError'
  }
}

/** The block sizes shared by every image of a batch. */
export interface MultiBlockSizes {
  readonly target: DrawnSize
  readonly context: DrawnSize
}

/** The sizing and placement rule of a multi-block variant. */
export const ruleOf = (s: MultiBlockSettings): BlockRule => (s.strategy === 'multi-block' ? 'reference' : 'corrected')

const lerp = (r: Range, u: number): number => r[0] + u * (r[1] - r[0])

const drawSize = (key: Key, g: Grid, rule: BlockRule, scale: Range, aspect: Range): DrawnSize => {
  const u = uniform64(key, 2)
  const s = lerp(scale, u[0]!)
  const ar = lerp(aspect, rule === 'reference' ? u[0]! : u[1]!)
  return { ...blockSize(rule, g, s, ar), scale: s, aspect: ar }
}

/** Step 1: the batch's target and context block sizes. */
export const multiBlockSizes = (batchKey: Key, g: Grid, s: MultiBlockSettings): MultiBlockSizes => {
  const rule = ruleOf(s)
  const k = fold(batchKey, 'block-sizes')
  return {
    target: drawSize(fold(k, 'target'), g, rule, s.targetScale, s.targetAspect),
    context: drawSize(fold(k, 'context'), g, rule, s.contextScale, s.contextAspect),
  }
}

const place = (key: Key, g: Grid, rule: BlockRule, size: DrawnSize): Block => {
  const u = uniform64(key, 2)
  return {
    top: uniformIndex(u[0]!, placements(rule, g.height, size.height)),
    left: uniformIndex(u[1]!, placements(rule, g.width, size.width)),
    height: size.height,
    width: size.width,
  }
}

/** Steps 2–4 for one image: target blocks, then the context block cut by the targets. */
export const multiBlockImage = (
  imageKey: Key,
  g: Grid,
  s: MultiBlockSettings,
  sizes: MultiBlockSizes,
  imageIndex = 0,
): ImageMasks => {
  const rule = ruleOf(s)
  const L = g.height * g.width
  const targetArea = sizes.target.height * sizes.target.width
  const targetFloor = rule === 'reference' ? s.minKeep : 0
  if (targetArea <= targetFloor) {
    throw new MaskSamplingError(
      `multi-block: target blocks of ${sizes.target.height}×${sizes.target.width} = ${targetArea} tokens can never have more than minKeep = ${s.minKeep} tokens (the reference collator would loop forever here)`,
    )
  }
  // Each target is placed once: its size is fixed, so the reference's retry loop accepts the first try.
  const targetBlocks: Block[] = []
  const targets: Int32Array[] = []
  const firstTarget = new Int32Array(L).fill(s.nTargets) // lowest target index covering each token
  for (let j = 0; j < s.nTargets; j++) {
    const b = place(fold(imageKey, j), g, rule, sizes.target)
    targetBlocks.push(b)
    const idx = blockIndices(g, b)
    targets.push(idx)
    for (let i = 0; i < idx.length; i++) if (firstTarget[idx[i]!]! > j) firstTarget[idx[i]!] = j
  }
  const contextKey = fold(imageKey, 'context')
  let dropped = 0
  let failures = 0
  let attempts = 0
  for (;;) {
    attempts++
    const b = place(fold(contextKey, attempts), g, rule, sizes.context)
    const active = s.allowOverlap ? 0 : Math.max(s.nTargets - dropped, 0)
    let kept = 0
    for (let r = b.top; r < b.top + b.height; r++) {
      for (let c = b.left; c < b.left + b.width; c++) if (firstTarget[r * g.width + c]! >= active) kept++
    }
    if (kept > s.minKeep) {
      const context = new Int32Array(kept)
      let n = 0
      for (let r = b.top; r < b.top + b.height; r++) {
        for (let c = b.left; c < b.left + b.width; c++) {
          const i = r * g.width + c
          if (firstTarget[i]! >= active) context[n++] = i
        }
      }
      const relaxation: Relaxation | undefined =
        dropped > 0 && !s.allowOverlap
          ? { image: imageIndex, droppedTargets: Array.from({ length: s.nTargets - active }, (_, i) => active + i), attempts }
          : undefined
      return { context, targets, blocks: { context: b, targets: targetBlocks }, relaxation }
    }
    if (++failures === s.triesPerRelaxation) {
      failures = 0
      dropped++
      if (dropped > s.nTargets) {
        throw new MaskSamplingError(
          `multi-block: a ${sizes.context.height}×${sizes.context.width} context block can never keep more than minKeep = ${s.minKeep} tokens, even with every target constraint dropped`,
        )
      }
    }
  }
}

/** One batch of multi-block masks: shared sizes from the batch key, positions per image. */
export const multiBlockBatch = (batchKey: Key, g: Grid, s: MultiBlockSettings, batchSize: number): ImageMasks[] => {
  const sizes = multiBlockSizes(batchKey, g, s)
  const positions = fold(batchKey, 'positions')
  return Array.from({ length: batchSize }, (_, b) => multiBlockImage(fold(positions, b), g, s, sizes, b))
}
