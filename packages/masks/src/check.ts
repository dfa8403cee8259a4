/**
 * Grid-dependent checks of mask settings: what can only be judged once the patch grid is known.
 *
 * Contract: `checkSettings(settings, grid, at)` returns the settings unchanged, or a `ConfigError`
 * (from `@jepa-ts/core`) with one issue per problem, each naming the field (`masks.minKeep`) and the
 * constraint. After it succeeds, no sampler in this package can fail or loop on that grid:
 * - `minKeep` below the grid's token count;
 * - `multi-block` (reference rule): H, W ≥ 2 (blocks are at most H−1 × W−1), every target block
 *   size the scale/aspect ranges can produce has more than `minKeep` tokens (the reference accepts
 *   nothing else and would loop forever), and so does every context block size;
 * - `multi-block-corrected`: every context block size has more than `minKeep` tokens;
 * - `block`: the complement of the largest target block keeps more than `minKeep` tokens;
 * - `rasterized`: H, W ≥ 2; `random`: at least one token kept and one removed.
 * Size extremes are found by evaluating the sizing rule on a fine grid of draws (4097 points for the
 * reference's single uniform, 129 × 129 for two independent ones).
 */
import * as E from 'fp-ts/lib/Either.js'
import { configError, type ConfigError, type ConfigIssue } from '@jepa-ts/core'
import { blockSize, type BlockRule } from './block.ts'
import { formatGrid, tokenCount, type Grid } from './grid.ts'
import { keepCountOf } from './random.ts'
import type { MaskSettings, Range } from './settings.ts'

/** The smallest and largest block area (in tokens) a scale/aspect range can produce on a grid. */
export const areaRange = (rule: BlockRule, g: Grid, scale: Range, aspect: Range): readonly [number, number] => {
  let lo = Infinity
  let hi = -Infinity
  const visit = (us: number, ua: number): void => {
    const size = blockSize(rule, g, scale[0] + us * (scale[1] - scale[0]), aspect[0] + ua * (aspect[1] - aspect[0]))
    const area = size.height * size.width
    lo = Math.min(lo, area)
    hi = Math.max(hi, area)
  }
  if (rule === 'reference') {
    for (let i = 0; i <= 4096; i++) visit(i / 4096, i / 4096)
  } else {
    for (let i = 0; i <= 128; i++) for (let j = 0; j <= 128; j++) visit(i / 128, j / 128)
  }
  return [lo, hi]
}

const issue = (path: string, expected: string, actual: unknown, message: string): ConfigIssue => ({ path, expected, actual, message })

/** Checks settings against a grid; `at` is the settings' path in the user's config (default `masks`). */
export const checkSettings = <S extends MaskSettings>(s: S, g: Grid, at = 'masks'): E.Either<ConfigError, S> => {
  const p = (field: string): string => (at === '' ? field : `${at}.${field}`)
  const L = tokenCount(g)
  const gridText = `the ${formatGrid(g)} grid`
  const issues: ConfigIssue[] = []
  const needTwo = (why: string): void => {
    if (g.height < 2 || g.width < 2) issues.push(issue('grid', 'H ≥ 2 and W ≥ 2', formatGrid(g), `grid: ${s.strategy} needs at least 2 rows and 2 columns (${why}), got ${formatGrid(g)}`))
  }
  const minKeepBelowGrid = (minKeep: number): boolean => {
    if (minKeep < L) return true
    issues.push(issue(p('minKeep'), `minKeep < ${L}`, minKeep, `${p('minKeep')} (${minKeep}) must be below the ${L} tokens of ${gridText}`))
    return false
  }
  switch (s.strategy) {
    case 'multi-block':
    case 'multi-block-corrected': {
      const rule: BlockRule = s.strategy === 'multi-block' ? 'reference' : 'corrected'
      if (rule === 'reference') needTwo('the reference rule keeps blocks at most H−1 × W−1')
      if (issues.length > 0 || !minKeepBelowGrid(s.minKeep)) break
      if (rule === 'reference') {
        const [tLo, tHi] = areaRange(rule, g, s.targetScale, s.targetAspect)
        if (tLo <= s.minKeep) {
          issues.push(issue(p('minKeep'), `minKeep < ${tLo}`, s.minKeep,
            `${p('minKeep')} (${s.minKeep}) must be below the smallest target block (${tLo} tokens; ${p('targetScale')} gives ${tLo}..${tHi} on ${gridText}): the reference collator accepts only target blocks with more than minKeep tokens and would loop forever`))
        }
      }
      const [cLo, cHi] = areaRange(rule, g, s.contextScale, s.contextAspect)
      if (cLo <= s.minKeep) {
        issues.push(issue(p('contextScale'), `context blocks of more than ${s.minKeep} tokens`, s.contextScale,
          `${p('contextScale')} [${s.contextScale.join(', ')}] gives context blocks of ${cLo}..${cHi} tokens on ${gridText}; each must exceed ${p('minKeep')} (${s.minKeep})`))
      }
      break
    }
    case 'block': {
      if (!minKeepBelowGrid(s.minKeep)) break
      const [, tHi] = areaRange('corrected', g, s.targetScale, s.targetAspect)
      if (L - tHi <= s.minKeep) {
        issues.push(issue(p('targetScale'), `a complement of more than ${s.minKeep} tokens`, s.targetScale,
          `${p('targetScale')} [${s.targetScale.join(', ')}] allows a ${tHi}-token target on ${gridText}, leaving ${L - tHi} context tokens; the context must keep more than ${p('minKeep')} (${s.minKeep})`))
      }
      break
    }
    case 'rasterized':
      needTwo('four non-empty quadrants')
      break
    case 'random': {
      const keep = keepCountOf(L, s.maskRatio)
      if (keep < 1 || keep >= L) {
        issues.push(issue(p('maskRatio'), 'a ratio that keeps at least one token and removes at least one', s.maskRatio,
          `${p('maskRatio')} (${s.maskRatio}) keeps ${keep} of the ${L} tokens of ${gridText}; the context and the target must both be non-empty`))
      }
      break
    }
  }
  return issues.length > 0 ? E.left(configError(issues)) : E.right(s)
}
