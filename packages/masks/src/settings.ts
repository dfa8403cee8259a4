/**
 * The settings of every masking strategy, as plain typed values, with the paper's defaults.
 *
 * Contract: these are the decoded forms of the codecs in `config.ts`; a value built by hand should be
 * passed through `checkSettings` (or decoded) before sampling. Defaults follow the I-JEPA paper
 * (Assran et al. 2023, https://arxiv.org/abs/2301.08243, §4 and Table 6) and MAE (He et al. 2021,
 * https://arxiv.org/abs/2111.06377):
 *
 * | strategy                 | defaults                                                                      |
 * |--------------------------|-------------------------------------------------------------------------------|
 * | `multi-block`            | 4 targets, scale (0.15, 0.2), aspect (0.75, 1.5); context scale (0.85, 1.0), aspect (1, 1); minKeep 10; no overlap; 20 tries per relaxation |
 * | `multi-block-corrected`  | the same values, the corrected sizing and placement rule                        |
 * | `rasterized`             | one quadrant as context, the other three as targets                            |
 * | `block`                  | one target block, scale (0.6, 0.6), aspect (0.75, 1.5); context = complement; minKeep 10 |
 * | `random`                 | maskRatio 0.75 (MAE); the I-JEPA ablation used 0.6                              |
 */

/** A closed interval `[lo, hi]`, lo ≤ hi. */
export type Range = readonly [number, number]

/** The strategy names a config may choose. */
export const strategyNames = ['multi-block', 'multi-block-corrected', 'rasterized', 'block', 'random'] as const
export type StrategyName = (typeof strategyNames)[number]

/** I-JEPA multi-block masks: `multi-block` is the reference collator, `multi-block-corrected` fixes its quirks. */
export interface MultiBlockSettings {
  readonly strategy: 'multi-block' | 'multi-block-corrected'
  /** Target blocks per image (paper: 4). */
  readonly nTargets: number
  /** Fraction of the grid each target block covers (paper: [0.15, 0.2]). */
  readonly targetScale: Range
  /** Height / width of target blocks (paper: [0.75, 1.5]). */
  readonly targetAspect: Range
  /** Fraction of the grid the context block covers before targets are removed (paper: [0.85, 1.0]). */
  readonly contextScale: Range
  /** Height / width of the context block (paper: [1, 1]). */
  readonly contextAspect: Range
  /** The context must keep strictly more tokens than this (paper: 10). */
  readonly minKeep: number
  /** When true the context is not cut by the targets (paper: false). */
  readonly allowOverlap: boolean
  /** Failed context placements before one target constraint is dropped (reference: 20). */
  readonly triesPerRelaxation: number
}

/** Quadrants: one quadrant is the context, the other three are the targets (I-JEPA ablation "rasterized"). */
export interface RasterizedSettings {
  readonly strategy: 'rasterized'
}

/** One large target block; the context is its complement (I-JEPA ablation "block"). */
export interface BlockSettings {
  readonly strategy: 'block'
  readonly targetScale: Range
  readonly targetAspect: Range
  readonly minKeep: number
}

/** MAE random masking: a random `maskRatio` of the tokens is removed; the kept ones are the context. */
export interface RandomSettings {
  readonly strategy: 'random'
  /** Fraction of tokens removed, in [0, 1) (MAE: 0.75). */
  readonly maskRatio: number
}

/** Any strategy's settings. */
export type MaskSettings = MultiBlockSettings | RasterizedSettings | BlockSettings | RandomSettings

/** The paper's multi-block settings (reference rule). */
export const multiBlockDefaults: MultiBlockSettings & { readonly strategy: 'multi-block' } = {
  strategy: 'multi-block',
  nTargets: 4,
  targetScale: [0.15, 0.2],
  targetAspect: [0.75, 1.5],
  contextScale: [0.85, 1.0],
  contextAspect: [1, 1],
  minKeep: 10,
  allowOverlap: false,
  triesPerRelaxation: 20,
}

/** The defaults of every strategy. */
export const defaultSettings = {
  'multi-block': multiBlockDefaults,
  'multi-block-corrected': { ...multiBlockDefaults, strategy: 'multi-block-corrected' },
  rasterized: { strategy: 'rasterized' },
  block: { strategy: 'block', targetScale: [0.6, 0.6], targetAspect: [0.75, 1.5], minKeep: 10 },
  random: { strategy: 'random', maskRatio: 0.75 },
} as const satisfies { readonly [K in StrategyName]: MaskSettings & { readonly strategy: K } }

/** The number of target index lists a strategy yields per image. */
export const targetCountOf = (s: MaskSettings): number =>
  s.strategy === 'multi-block' || s.strategy === 'multi-block-corrected' ? s.nTargets : s.strategy === 'rasterized' ? 3 : 1
