/** Type tests: the settings union is discriminated by `strategy`, and the defaults carry their literal strategy. */
import { defaultSettings, multiBlockDefaults, type MaskSettings, type MultiBlockSettings } from '@jepa-ts/masks'

const minKeepOf = (s: MaskSettings): number | undefined => {
  switch (s.strategy) {
    case 'multi-block':
    case 'multi-block-corrected':
      return s.minKeep
    case 'block':
      return s.minKeep
    case 'rasterized':
      // @ts-expect-error rasterized settings have no minKeep
      return s.minKeep
    case 'random':
      return s.maskRatio
  }
}
export const checks = [
  minKeepOf(multiBlockDefaults),
  defaultSettings.random.maskRatio,
  // @ts-expect-error the random strategy has no nTargets
  defaultSettings.random.nTargets,
]
// @ts-expect-error a strategy outside the union is a type error
export const wrong: MaskSettings = { strategy: 'quadrants' }
// @ts-expect-error ranges are pairs
export const badRange: MultiBlockSettings = { ...multiBlockDefaults, targetScale: [0.15] }
export const corrected: MultiBlockSettings = { ...multiBlockDefaults, strategy: 'multi-block-corrected' }
