/**
 * `checkMasks(strategy, grid)`: the laws a masking strategy must obey on a patch grid, checked over
 * generated batch keys and batch sizes with shrinking.
 *
 * A strategy is either built-in settings (`multiBlockDefaults`, `{ strategy: 'random', … }`; the
 * bounds below are derived from them) or a user's `MaskStrategy`: a `sample(batchKey, grid,
 * batchSize)` function and what it promises.
 *
 * Laws:
 * - `indices`: every context and target list is non-empty, integer, ascending, duplicate-free and in
 *   `[0, H·W)`; every image has the promised number of targets.
 * - `disjoint` (unless overlap is allowed): the context shares no token with a target, except a
 *   target whose constraint a reported relaxation dropped for that image.
 * - `sizes`: each target's and the context's token count lies in the promised range (for built-in
 *   block strategies: every block size the scale and aspect ranges can produce on this grid).
 * - `deterministic`: the same key and batch size give identical masks.
 * The report counts relaxations over every image the laws sampled (`relaxations`), so a setting
 * that relaxes constantly shows.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { type Key, keyOf } from '@jepa-ts/core'
import {
  type BlockRule,
  type Grid,
  type ImageMasks,
  type MaskSettings,
  type Range,
  blockSize,
  checkSettings,
  formatGrid,
  keepCountOf,
  sampleImages,
  tokenCount,
} from '@jepa-ts/masks'
import { type LawReport, type LawResult, type RunOptions, ensure, holds } from './law-error.ts'

/** A masking strategy as the laws see it. */
export interface MaskStrategy {
  /** Name used in messages. */
  readonly name: string
  /** Per-image masks of one batch, from a batch key only. */
  readonly sample: (batchKey: Key, g: Grid, batchSize: number) => readonly ImageMasks[]
  /** Targets per image (unchecked when absent). */
  readonly nTargets?: number
  /** May the context overlap the targets? (default false) */
  readonly allowOverlap?: boolean
  /** Inclusive token-count range of each target on a grid (unchecked when absent). */
  readonly targetTokens?: (g: Grid) => readonly [number, number]
  /** Inclusive token-count range of the context on a grid (unchecked when absent). */
  readonly contextTokens?: (g: Grid) => readonly [number, number]
}

/** Options of `checkMasks`. */
export interface CheckMasksOptions extends RunOptions {
  /** Batch sizes to draw (default [1, 4]). */
  readonly batchSize?: readonly [number, number]
}

/** What `checkMasks` returns: the laws and the relaxations seen. */
export interface MaskLawReport extends LawReport {
  readonly relaxations: { readonly images: number; readonly relaxed: number }
}

const EPS = 1e-9

/**
 * The smallest and largest block area (tokens) a scale/aspect range can produce on a grid, exactly:
 * block sizes are piecewise constant in the draws, so evaluating both sides of every breakpoint
 * (where ⌊L·s⌋ or a rounded side changes) and the ends visits every reachable size.
 */
export const reachableAreas = (rule: BlockRule, g: Grid, scale: Range, aspect: Range): readonly [number, number] => {
  const L = tokenCount(g)
  const maxSide = Math.max(g.height, g.width) + 2
  let lo = Infinity
  let hi = -Infinity
  const visit = (s: number, ar: number): void => {
    const b = blockSize(rule, g, s, ar)
    lo = Math.min(lo, b.height * b.width)
    hi = Math.max(hi, b.height * b.width)
  }
  const keeps: number[] = []
  for (let k = Math.floor(L * scale[0]); k <= Math.floor(L * scale[1]); k++) keeps.push(k)
  // Aspect ratios where a rounded side changes for `keep` tokens: √(k·ar) or √(k/ar) = n + ½.
  const aspectBreaks = (k: number): number[] => {
    const out: number[] = []
    for (let n = 0; n <= maxSide; n++) if (k > 0) out.push((n + 0.5) ** 2 / k, k / (n + 0.5) ** 2)
    return out
  }
  const within = (r: Range, v: number): number => Math.min(r[1], Math.max(r[0], v))
  if (rule === 'corrected') {
    for (const k of keeps) {
      const s = within(scale, (k + 0.5) / L)
      const ars = [aspect[0], aspect[1], ...aspectBreaks(k).flatMap((a) => [a - EPS, a + EPS])].filter((a) => a >= aspect[0] && a <= aspect[1])
      for (const ar of ars) visit(s, ar)
    }
  } else {
    // One uniform u drives both: s = s0 + u(s1 − s0), ar = a0 + u(a1 − a0).
    const us = [0, 1]
    const ds = scale[1] - scale[0]
    const da = aspect[1] - aspect[0]
    if (ds > 0) for (let j = Math.floor(L * scale[0]); j <= Math.ceil(L * scale[1]); j++) us.push((j / L - scale[0]) / ds)
    if (da > 0) for (const k of keeps) for (const a of aspectBreaks(k)) us.push((a - aspect[0]) / da)
    for (const u of us.flatMap((u) => [u - EPS, u, u + EPS]).filter((u) => u >= 0 && u <= 1)) visit(scale[0] + u * ds, aspect[0] + u * da)
  }
  return [lo, hi]
}

/** The laws' view of built-in settings: the package's sampler and the bounds the settings promise. */
export const maskStrategy = (s: MaskSettings): MaskStrategy => {
  const sample = (key: Key, g: Grid, b: number): readonly ImageMasks[] => sampleImages(s, g, key, b)
  switch (s.strategy) {
    case 'multi-block':
    case 'multi-block-corrected': {
      const rule: BlockRule = s.strategy === 'multi-block' ? 'reference' : 'corrected'
      return {
        name: s.strategy,
        sample,
        nTargets: s.nTargets,
        allowOverlap: s.allowOverlap,
        targetTokens: (g) => reachableAreas(rule, g, s.targetScale, s.targetAspect),
        // The context block, cut by the targets, must keep more than minKeep tokens.
        contextTokens: (g) => [s.minKeep + 1, reachableAreas(rule, g, s.contextScale, s.contextAspect)[1]],
      }
    }
    case 'block':
      return {
        name: 'block',
        sample,
        nTargets: 1,
        targetTokens: (g) => reachableAreas('corrected', g, s.targetScale, s.targetAspect),
        contextTokens: (g) => {
          const [lo, hi] = reachableAreas('corrected', g, s.targetScale, s.targetAspect)
          return [tokenCount(g) - hi, tokenCount(g) - lo]
        },
      }
    case 'rasterized':
      return { name: 'rasterized', sample, nTargets: 3 }
    case 'random':
      return {
        name: 'random',
        sample,
        nTargets: 1,
        contextTokens: (g) => [keepCountOf(tokenCount(g), s.maskRatio), keepCountOf(tokenCount(g), s.maskRatio)],
        targetTokens: (g) => [tokenCount(g) - keepCountOf(tokenCount(g), s.maskRatio), tokenCount(g) - keepCountOf(tokenCount(g), s.maskRatio)],
      }
  }
}

const isSettings = (s: MaskStrategy | MaskSettings): s is MaskSettings => 'strategy' in s

/** One generated case: a batch key seed and a batch size. */
export interface MaskCase {
  readonly seed: number
  readonly batchSize: number
}

const listProblem = (xs: Int32Array, L: number): string | undefined => {
  if (xs.length === 0) return 'is empty'
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i]!
    if (!Number.isInteger(v) || v < 0 || v >= L) return `holds ${v} at position ${i}, outside [0, ${L})`
    if (i > 0 && v === xs[i - 1]) return `holds ${v} twice (positions ${i - 1} and ${i})`
    if (i > 0 && v < xs[i - 1]!) return `is not ascending: ${xs[i - 1]} then ${v} at position ${i}`
  }
  return undefined
}

const showList = (xs: Int32Array): string => (xs.length <= 12 ? `[${xs.join(', ')}]` : `[${xs.slice(0, 12).join(', ')}, … (${xs.length})]`)

/** Checks every law of a strategy on a grid; throws `LawViolation` with a shrunk case on the first that fails. */
export const checkMasks = (strategyOrSettings: MaskStrategy | MaskSettings, g: Grid, options: CheckMasksOptions = {}): MaskLawReport => {
  if (isSettings(strategyOrSettings)) {
    const ok = checkSettings(strategyOrSettings, g)
    if (E.isLeft(ok)) throw new RangeError(`checkMasks: these ${strategyOrSettings.strategy} settings cannot work on the ${formatGrid(g)} grid: ${ok.left.format()}`)
  }
  const strategy = isSettings(strategyOrSettings) ? maskStrategy(strategyOrSettings) : strategyOrSettings
  const L = tokenCount(g)
  const subject = `mask strategy "${strategy.name}" on the ${formatGrid(g)} grid`
  const [bLo, bHi] = options.batchSize ?? [1, 4]
  const caseArb: fc.Arbitrary<MaskCase> = fc.record({ seed: fc.nat({ max: 1_000_000 }), batchSize: fc.integer({ min: bLo, max: bHi }) })
  const numRuns = options.numRuns ?? 30
  const show = (c: MaskCase): string => `batch key keyOf(${c.seed}), batch size ${c.batchSize}`
  const run = (law: string, predicate: (c: MaskCase) => void): LawResult =>
    holds(law, subject, caseArb, predicate, { numRuns, show, ...(options.seed === undefined ? {} : { seed: options.seed }) })
  let images = 0
  let relaxed = 0
  const sample = (c: MaskCase): readonly ImageMasks[] => {
    const ms = strategy.sample(keyOf(c.seed), g, c.batchSize)
    ensure(ms.length === c.batchSize, () => `sampled ${ms.length} images for a batch of ${c.batchSize}`)
    return ms
  }
  const laws: LawResult[] = []

  laws.push(
    run('indices', (c) => {
      sample(c).forEach((m, b) => {
        images++
        if (m.relaxation !== undefined) relaxed++
        const cp = listProblem(m.context, L)
        ensure(cp === undefined, () => `image ${b}: the context ${showList(m.context)} ${cp}`)
        if (strategy.nTargets !== undefined) ensure(m.targets.length === strategy.nTargets, () => `image ${b} has ${m.targets.length} targets, ${strategy.nTargets} promised`)
        m.targets.forEach((t, j) => {
          const tp = listProblem(t, L)
          ensure(tp === undefined, () => `image ${b}: target ${j} ${showList(t)} ${tp}`)
        })
      })
    }),
  )

  if (strategy.allowOverlap !== true)
    laws.push(
      run('disjoint', (c) => {
        sample(c).forEach((m, b) => {
          const inContext = new Set(m.context)
          const dropped = new Set(m.relaxation?.droppedTargets ?? [])
          m.targets.forEach((t, j) => {
            if (dropped.has(j)) return
            const shared = t.filter((v) => inContext.has(v))
            ensure(shared.length === 0, () => `image ${b}: the context shares token(s) ${showList(shared)} with target ${j}, overlap is off and no relaxation was reported for that target`)
          })
        })
      }),
    )

  if (strategy.targetTokens !== undefined || strategy.contextTokens !== undefined) {
    const tRange = strategy.targetTokens?.(g)
    const cRange = strategy.contextTokens?.(g)
    laws.push(
      run('sizes', (c) => {
        sample(c).forEach((m, b) => {
          if (tRange !== undefined)
            m.targets.forEach((t, j) => ensure(t.length >= tRange[0] && t.length <= tRange[1], () => `image ${b}: target ${j} has ${t.length} tokens, outside the promised [${tRange[0]}, ${tRange[1]}]`))
          if (cRange !== undefined) ensure(m.context.length >= cRange[0] && m.context.length <= cRange[1], () => `image ${b}: the context has ${m.context.length} tokens, outside the promised [${cRange[0]}, ${cRange[1]}]`)
        })
      }),
    )
  }

  laws.push(
    run('deterministic', (c) => {
      const a = sample(c)
      const b = sample(c)
      a.forEach((m, i) => {
        const n = b[i]!
        const same = (x: Int32Array, y: Int32Array): boolean => x.length === y.length && x.every((v, k) => v === y[k])
        ensure(same(m.context, n.context), () => `image ${i}: two samples with the same key give contexts ${showList(m.context)} and ${showList(n.context)}`)
        m.targets.forEach((t, j) => ensure(n.targets[j] !== undefined && same(t, n.targets[j]!), () => `image ${i}: two samples with the same key give different target ${j}: ${showList(t)} vs ${n.targets[j] === undefined ? 'none' : showList(n.targets[j]!)}`))
      })
    }),
  )

  return { subject, laws, relaxations: { images, relaxed } }
}
