/**
 * The view recipe of the joint-embedding families as a config, and the pipeline it declares:
 *
 *   view = clip ∘ noise(p) ∘ blur(p) ∘ jitter(p) ∘ flip(p) ∘ crop(p)      (applied left to right: crop first)
 *
 * `ViewsCodec` is an exact io-ts codec with defaults (unknown keys are errors, every field optional):
 * `crop` {prob, scale, aspect}, `flipProb`, `jitter` {prob, brightness, contrast},
 * `blur` {prob, kernelSize (odd), sigma}, `noise` {prob, std}, `range` [lo, hi].
 * Defaults are the grayscale recipe for small (28–32 px) images: crop scale (0.25, 1) — smaller
 * crops of a 28-px garment leave mostly black padding —, aspect (3/4, 4/3), flip ½, jitter 0.8 with
 * 0.4 / 0.4 (SimCLR's strengths without hue/saturation), blur ½ with kernel 3 (~10% of 32 px, the
 * SimCLR rule) and σ ∈ (0.1, 1), noise ½ with σ 0.05. `noAugment` has every probability 0 (identity).
 */
import * as t from 'io-ts'
import { NonNegativeInt, OpenUnit, PositiveNumber, Probability, exact, interval, refine, withDefaults } from '@jepa-ts/core'
import { type Augment, clipTo, pipeline, withProbability } from './augment.ts'
import { randomResizedCrop } from './random-resized-crop.ts'
import { flipHorizontal } from './flip.ts'
import { colorJitter } from './color-jitter.ts'
import { gaussianBlur } from './gaussian-blur.ts'
import { gaussianNoise } from './gaussian-noise.ts'

const NonNegativeNumber = refine(t.number, (x) => Number.isFinite(x) && x >= 0, 'a finite number ≥ 0', 'NonNegativeNumber')

const CropCodec = withDefaults(exact({}, { prob: Probability, scale: interval(OpenUnit), aspect: interval(PositiveNumber) }, 'Crop'), { prob: 1, scale: [0.25, 1], aspect: [3 / 4, 4 / 3] }, 'Crop')
const JitterCodec = withDefaults(exact({}, { prob: Probability, brightness: NonNegativeNumber, contrast: NonNegativeNumber }, 'Jitter'), { prob: 0.8, brightness: 0.4, contrast: 0.4 }, 'Jitter')
const BlurCodec = refine(
  withDefaults(exact({}, { prob: Probability, kernelSize: NonNegativeInt, sigma: interval(PositiveNumber) }, 'Blur'), { prob: 0.5, kernelSize: 3, sigma: [0.1, 1] }, 'Blur'),
  (b) => b.kernelSize % 2 === 1,
  (b, at) => `${at('kernelSize')} (${b.kernelSize}) must be odd`,
  'Blur (odd kernelSize)',
)
const NoiseCodec = withDefaults(exact({}, { prob: Probability, std: NonNegativeNumber }, 'Noise'), { prob: 0.5, std: 0.05 }, 'Noise')

/** The view recipe codec. */
export const ViewsCodec = withDefaults(
  exact({}, { crop: CropCodec, flipProb: Probability, jitter: JitterCodec, blur: BlurCodec, noise: NoiseCodec, range: interval(t.number) }, 'Views'),
  { crop: {}, flipProb: 0.5, jitter: {}, blur: {}, noise: {}, range: [0, 1] },
  'Views',
)
/** A decoded view recipe. */
export type ViewsConfig = t.TypeOf<typeof ViewsCodec>
/** A view recipe in JSON form. */
export type ViewsConfigInput = t.OutputOf<typeof ViewsCodec>

/** The recipe with every probability 0: the pipeline is the identity. */
export const noAugmentInput = {
  crop: { prob: 0 },
  flipProb: 0,
  jitter: { prob: 0 },
  blur: { prob: 0 },
  noise: { prob: 0 },
} as const satisfies ViewsConfigInput

/** The pipeline a recipe declares (crop → flip → jitter → blur → noise → clip to `range`). */
export const viewPipeline = (c: ViewsConfig): Augment =>
  pipeline(
    withProbability(c.crop.prob, randomResizedCrop({ scale: c.crop.scale, aspect: c.crop.aspect })),
    withProbability(c.flipProb, flipHorizontal),
    withProbability(c.jitter.prob, colorJitter({ brightness: c.jitter.brightness, contrast: c.jitter.contrast, range: c.range })),
    withProbability(c.blur.prob, gaussianBlur({ kernelSize: c.blur.kernelSize, sigma: c.blur.sigma })),
    withProbability(c.noise.prob, gaussianNoise({ std: c.noise.std, range: c.range })),
    clipTo(c.range),
  )
