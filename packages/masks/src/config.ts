/**
 * Config codecs for every masking strategy: exact (unknown keys are errors), with the paper's
 * defaults for absent fields, decoded once at the edge into the plain `MaskSettings` of `settings.ts`.
 *
 * Contract: `MaskSettingsCodec` reads `strategy` first (required; one of `strategyNames`) and then
 * decodes the rest with that strategy's codec, so an error names the field of the chosen strategy:
 * `Expecting OpenUnit at masks.targetScale.0 but instead got: 1.5`,
 * `Expecting Interval<OpenUnit> (lo ≤ hi) at masks.contextScale but instead got: [1,0.85]`,
 * `unknown key "minkeep" at masks (did you mean "minKeep"?)`. Field rules: scales in (0, 1]
 * (`OpenUnit`), aspect ratios > 0 (`PositiveNumber`), `nTargets` and `triesPerRelaxation` ≥ 1,
 * `minKeep` ≥ 0, `maskRatio` in [0, 1). Cross-field rule (without a grid): when overlap is not
 * allowed, `nTargets × targetScale[0]` must stay below `contextScale[1]` — otherwise the targets,
 * even side by side, cover the whole largest context block. With a grid, `decodeMaskSettings` also
 * runs `checkSettings` (min_keep below H·W, blocks that can be accepted, …).
 *
 * @example
 * import { decodeMaskSettings, grid } from '@jepa-ts/masks'
 * import * as E from 'fp-ts/lib/Either.js'
 * const ok = decodeMaskSettings({ strategy: 'multi-block' }, { grid: grid(14) })
 * console.assert(E.isRight(ok) && ok.right.strategy === 'multi-block' && ok.right.nTargets === 4)
 * const bad = decodeMaskSettings({ strategy: 'multi-block', targetScale: [1.5, 2] })
 * console.assert(E.isLeft(bad) && bad.left.format().includes('masks.targetScale.0'))
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import {
  NonNegativeInt,
  OpenUnit,
  PositiveInt,
  PositiveNumber,
  decode,
  exact,
  expectingMessage,
  interval,
  pathOf,
  refine,
  withDefaults,
  childPath,
  type ConfigError,
} from '@jepa-ts/core'
import { checkSettings } from './check.ts'
import type { Grid } from './grid.ts'
import {
  defaultSettings,
  strategyNames,
  type BlockSettings,
  type MaskSettings,
  type MultiBlockSettings,
  type RandomSettings,
  type RasterizedSettings,
  type StrategyName,
} from './settings.ts'

/** A mask ratio: 0 ≤ r < 1 (at least one token must be kept). */
export interface MaskRatioBrand {
  readonly MaskRatio: unique symbol
}
export const MaskRatio = t.brand(t.number, (r): r is t.Branded<number, MaskRatioBrand> => r >= 0 && r < 1, 'MaskRatio')

const multiBlockProps = {
  nTargets: PositiveInt,
  targetScale: interval(OpenUnit),
  targetAspect: interval(PositiveNumber),
  contextScale: interval(OpenUnit),
  contextAspect: interval(PositiveNumber),
  minKeep: NonNegativeInt,
  allowOverlap: t.boolean,
  triesPerRelaxation: PositiveInt,
}
const { strategy: _mb, ...multiBlockRest } = defaultSettings['multi-block']

const multiBlockCodec = (strategy: MultiBlockSettings['strategy']): t.Decoder<unknown, MultiBlockSettings> =>
  refine(
    withDefaults(exact({ strategy: t.literal(strategy) }, multiBlockProps, 'MultiBlockSettings'), multiBlockRest, 'MultiBlockSettings'),
    (s) => s.allowOverlap || s.nTargets * s.targetScale[0] < s.contextScale[1],
    (s, at) =>
      `${at('nTargets')} × ${at('targetScale')}[0] = ${s.nTargets} × ${s.targetScale[0]} = ${+(s.nTargets * s.targetScale[0]).toFixed(6)} must stay below ${at('contextScale')}[1] = ${s.contextScale[1]} when ${at('allowOverlap')} is false: more targets than can fit beside a context`,
    'targets that fit beside the context',
  )

const { strategy: _b, ...blockRest } = defaultSettings.block
const blockCodec: t.Decoder<unknown, BlockSettings> = withDefaults(
  exact({ strategy: t.literal('block') }, { targetScale: interval(OpenUnit), targetAspect: interval(PositiveNumber), minKeep: NonNegativeInt }, 'BlockSettings'),
  blockRest,
  'BlockSettings',
)

const rasterizedCodec: t.Decoder<unknown, RasterizedSettings> = exact({ strategy: t.literal('rasterized') }, {}, 'RasterizedSettings')

const randomCodec: t.Decoder<unknown, RandomSettings> = withDefaults(
  exact({ strategy: t.literal('random') }, { maskRatio: MaskRatio }, 'RandomSettings'),
  { maskRatio: defaultSettings.random.maskRatio },
  'RandomSettings',
)

const codecs: { readonly [K in StrategyName]: t.Decoder<unknown, MaskSettings> } = {
  'multi-block': multiBlockCodec('multi-block'),
  'multi-block-corrected': multiBlockCodec('multi-block-corrected'),
  rasterized: rasterizedCodec,
  block: blockCodec,
  random: randomCodec,
}

const isStrategyName = (u: unknown): u is StrategyName => typeof u === 'string' && (strategyNames as readonly string[]).includes(u)
const strategyType = `(${strategyNames.map((n) => JSON.stringify(n)).join(' | ')})`

/** The codec of any strategy's settings, dispatching on `strategy`. */
export const MaskSettingsCodec = new t.Type<MaskSettings, MaskSettings, unknown>(
  'MaskSettings',
  (u): u is MaskSettings => typeof u === 'object' && u !== null && isStrategyName((u as { strategy?: unknown }).strategy) && E.isRight(codecs[(u as { strategy: StrategyName }).strategy].decode(u)),
  (u, c) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, expectingMessage('MaskSettings (an object with a "strategy")', pathOf(c), u))
    const strategy = (u as { strategy?: unknown }).strategy
    if (!isStrategyName(strategy)) {
      const at = childPath(pathOf(c), 'strategy')
      const message = expectingMessage(strategyType, at, strategy) + (strategy === undefined ? ' (required key is missing)' : '')
      return t.failure(strategy, t.appendContext(c, 'strategy', t.string, strategy), message)
    }
    return codecs[strategy].validate(u, c)
  },
  t.identity,
)

/** Options of `decodeMaskSettings`. */
export interface DecodeOptions {
  /** When given, grid-dependent checks run too (`checkSettings`). */
  readonly grid?: Grid
  /** The settings' path in the user's config (default `masks`). */
  readonly at?: string
  /** The file the config came from, to prefix error lines. */
  readonly source?: string
}

/** Decodes mask settings (and checks them against a grid when one is given). */
export const decodeMaskSettings = (input: unknown, options: DecodeOptions = {}): E.Either<ConfigError, MaskSettings> => {
  const at = options.at ?? 'masks'
  const decoded = decode(MaskSettingsCodec, input, at, options.source)
  if (E.isLeft(decoded) || options.grid === undefined) return decoded
  const checked = checkSettings(decoded.right, options.grid, at)
  return E.isLeft(checked) && options.source !== undefined
    ? E.left({ ...checked.left, source: options.source, format: () => checked.left.issues.map((i) => `${options.source}: ${i.message}`).join('\n') })
    : checked
}
