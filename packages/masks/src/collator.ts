/**
 * The mask collator: from a batch key and a batch size to the index tensors an I-JEPA step consumes
 * (DESIGN §3.3 step 5), as plain int32 data.
 *
 * Contract: `contextIdx` is [B, Kc] and each of the `nTargets` entries of `targetIdx` is [B, Kt];
 * every row is ascending raster indices in `[0, H·W)`. As in the reference, every list is cut to
 * the batch minimum — Kc = min over images of the context length, Kt = min over images AND target
 * blocks — keeping the lowest raster indices. The lengths before cutting are in `countsBeforeCut`
 * (`targets[j][b]`), reported relaxations in `relaxations`, and the uncut per-image masks in `images`.
 * Same settings, grid and key → identical output.
 *
 * @example
 * import { maskCollator, grid, multiBlockDefaults } from '@jepa-ts/masks'
 * import { keyOf } from '@jepa-ts/core'
 * import * as E from 'fp-ts/lib/Either.js'
 * const collate = maskCollator(multiBlockDefaults, grid(14))
 * if (E.isLeft(collate)) throw new Error(collate.left.format())
 * const m = collate.right(keyOf(3), 8)
 * console.assert(m.contextIdx.shape[0] === 8 && m.targetIdx.length === 4)
 */
import * as E from 'fp-ts/lib/Either.js'
import { fold, type ConfigError, type Key } from '@jepa-ts/core'
import { checkSettings } from './check.ts'
import type { Grid } from './grid.ts'
import type { ImageMasks, Relaxation } from './image-masks.ts'
import { stackRows, type IndexBatch } from './index-batch.ts'
import { multiBlockBatch } from './multi-block.ts'
import { randomMasking } from './random.ts'
import { rasterizedBatch } from './rasterized.ts'
import type { MaskSettings, StrategyName } from './settings.ts'
import { singleBlockBatch } from './single-block.ts'

/** One collated batch of masks. */
export interface CollatedMasks {
  readonly strategy: StrategyName
  readonly grid: Grid
  readonly batchSize: number
  /** [B, Kc] context token indices. */
  readonly contextIdx: IndexBatch
  /** nTargets × [B, Kt] target token indices. */
  readonly targetIdx: ReadonlyArray<IndexBatch>
  /** Lengths before cutting: `context[b]`, `targets[j][b]`. */
  readonly countsBeforeCut: {
    readonly context: ReadonlyArray<number>
    readonly targets: ReadonlyArray<ReadonlyArray<number>>
  }
  /** Images whose context had to overlap targets (multi-block only). */
  readonly relaxations: ReadonlyArray<Relaxation>
  /** The uncut masks of every image. */
  readonly images: ReadonlyArray<ImageMasks>
}

/** Samples a batch: `(batchKey, batchSize) → CollatedMasks`. */
export type MaskCollator = (batchKey: Key, batchSize: number) => CollatedMasks

const sortedCopy = (a: Int32Array): Int32Array => Int32Array.from(a).sort()

/** Per-image masks of one batch, uncut. Settings must have passed `checkSettings` for this grid. */
export const sampleImages = (s: MaskSettings, g: Grid, batchKey: Key, batchSize: number): ImageMasks[] => {
  switch (s.strategy) {
    case 'multi-block':
    case 'multi-block-corrected':
      return multiBlockBatch(batchKey, g, s, batchSize)
    case 'rasterized':
      return rasterizedBatch(batchKey, g, batchSize)
    case 'block':
      return singleBlockBatch(batchKey, g, s, batchSize)
    case 'random': {
      const L = g.height * g.width
      const m = randomMasking(fold(batchKey, 'random'), batchSize, L, s.maskRatio)
      const K = m.idsKeep.shape[1]
      return Array.from({ length: batchSize }, (_, b) => {
        const shuffled = m.idsShuffle.data.subarray(b * L, (b + 1) * L)
        return {
          context: sortedCopy(shuffled.subarray(0, K)),
          targets: [sortedCopy(shuffled.subarray(K))],
          blocks: undefined,
          relaxation: undefined,
        }
      })
    }
  }
}

/** Cuts per-image masks to the batch minimum and stacks them. */
export const collate = (strategy: StrategyName, g: Grid, images: ReadonlyArray<ImageMasks>): CollatedMasks => {
  const first = images[0]
  if (first === undefined) throw new RangeError('collate: a batch needs at least one image')
  const nTargets = first.targets.length
  const context = images.map((m) => m.context.length)
  const targets = Array.from({ length: nTargets }, (_, j) =>
    images.map((m, b) => {
      const t = m.targets[j]
      if (t === undefined) throw new RangeError(`collate: image ${b} has ${m.targets.length} targets, image 0 has ${nTargets}`)
      return t.length
    }),
  )
  const kc = Math.min(...context)
  const kt = Math.min(...targets.flat())
  return {
    strategy,
    grid: g,
    batchSize: images.length,
    contextIdx: stackRows(images.map((m) => m.context), kc),
    targetIdx: Array.from({ length: nTargets }, (_, j) => stackRows(images.map((m) => m.targets[j]!), kt)),
    countsBeforeCut: { context, targets },
    relaxations: images.flatMap((m) => (m.relaxation === undefined ? [] : [m.relaxation])),
    images,
  }
}

/** A collator for settings on a grid, or the reasons the settings cannot work on that grid. */
export const maskCollator = (s: MaskSettings, g: Grid, at = 'masks'): E.Either<ConfigError, MaskCollator> =>
  E.map((checked: MaskSettings) => (batchKey: Key, batchSize: number): CollatedMasks => {
    if (!(Number.isSafeInteger(batchSize) && batchSize >= 1)) {
      throw new RangeError(`maskCollator: batchSize must be a positive integer, got ${batchSize}`)
    }
    return collate(checked.strategy, g, sampleImages(checked, g, batchKey, batchSize))
  })(checkSettings(s, g, at))
