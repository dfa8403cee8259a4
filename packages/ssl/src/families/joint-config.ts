/**
 * Config pieces the joint-embedding families share, as exact io-ts codecs (unknown keys are errors):
 * `image` [H, W, C]; `patchSize`; `encoder` {dim, depth, heads}; `projector` {hidden, out};
 * `views` (the augmentation recipe, `ViewsCodec`, all optional); `optimizer` (warmup-cosine lr, cosine
 * wd; `OptimizerCodec`); `pixelNorm` (optional {mean, std} before the encoder; `PixelNormCodec`); `patchInitStd` (optional). Predictor families add `predictor` {hidden}. A family's codec is
 * `jointCodec(name, extraRequired, extraOptional, extraDefaults)`: the shared fields plus its own,
 * with the cross-field rules (patch divides H and W; heads and 4 divide encoder.dim), each reported
 * naming its fields. Decode once at the edge with core's `decode` / `decodeOrThrow`.
 *
 * Fashion-MNIST base (`jointFashionBase`): 28×28 padded to 32×32 by `toBatchTensor(ds, idx, {padTo: 32})`,
 * patch 4 (8×8 = 64 tokens), ViT-Tiny width 192 with 3 heads but depth 6 (what a 2-core machine
 * trains), I-JEPA's Fashion preset optimizer, so the families compare at the same encoder and budget,
 * the default view recipe spelled out (`ViewsCodec` defaults), and `fashionInputs` (standardized
 * pixels, patch init 0.139).
 */
import * as t from 'io-ts'
import { PositiveInt, decodeOrThrow, exact } from '@jepa-ts/core'
import { ViewsCodec, type ViewsConfig } from '../augment/views-config.ts'
import { ImageDimsCodec, OptimizerCodec, type OptimizerSettings, PatchInitStdCodec, PixelNormCodec, fashionInputs } from './common.ts'
import { headsDivide, patchDividesImage } from './ijepa-config.ts'

/** {dim, depth, heads} of the ViT encoder. */
export const JointEncoderCodec = exact({ dim: PositiveInt, depth: PositiveInt, heads: PositiveInt }, {}, 'Encoder')
/** {hidden, out} of the projector head. */
export const ProjectorCodec = exact({ hidden: PositiveInt, out: PositiveInt }, {}, 'Projector')
/** {hidden} of the predictor head (its output width is the projector's). */
export const PredictorHeadCodec = exact({ hidden: PositiveInt }, {}, 'PredictorHead')

/** Required fields of every joint-embedding config. */
export const jointRequired = { image: ImageDimsCodec, patchSize: PositiveInt, encoder: JointEncoderCodec, projector: ProjectorCodec }
/** Optional fields of every joint-embedding config (with `jointDefaults`). */
export const jointOptional = { views: ViewsCodec, optimizer: OptimizerCodec, pixelNorm: PixelNormCodec, patchInitStd: PatchInitStdCodec }
/** Defaults of the optional shared fields (the views' and optimizer's own defaults fill the rest). */
export const jointDefaults = { views: {}, optimizer: {} } as const

/** What the skeleton reads from any joint-embedding config. */
export interface JointConfig {
  readonly image: readonly [number, number, number]
  readonly patchSize: number
  readonly encoder: { readonly dim: number; readonly depth: number; readonly heads: number }
  readonly projector: { readonly hidden: number; readonly out: number }
  readonly predictor?: { readonly hidden: number }
  readonly views: ViewsConfig
  readonly optimizer: OptimizerSettings
  readonly pixelNorm?: t.TypeOf<typeof PixelNormCodec>
  readonly patchInitStd?: number
}

/** Adds the cross-field rules of a joint config: patch divides the image, heads and 4 divide encoder.dim. */
export const jointChecks = <A extends JointConfig>(codec: t.Type<A, unknown, unknown>): t.Type<A, unknown, unknown> =>
  headsDivide(patchDividesImage(codec), 'encoder', (c) => c.encoder.dim, (c) => c.encoder.heads)

/** The JSON form of the fields every joint-embedding config shares. */
export interface JointBaseInput {
  readonly image: t.OutputOf<typeof ImageDimsCodec>
  readonly patchSize: number
  readonly encoder: t.OutputOf<typeof JointEncoderCodec>
  readonly optimizer: t.OutputOf<typeof OptimizerCodec>
  readonly views: t.OutputOf<typeof ViewsCodec>
  readonly pixelNorm: t.OutputOf<typeof PixelNormCodec>
  readonly patchInitStd: number
}

/** The Fashion-MNIST fields every family preset shares (JSON form). */
export const jointFashionBase: JointBaseInput = {
  image: [32, 32, 1],
  patchSize: 4,
  encoder: { dim: 192, depth: 6, heads: 3 },
  optimizer: { lr: 1e-3, startLr: 2e-4, finalLr: 1e-6, warmupSteps: 500, weightDecay: 0.04, finalWeightDecay: 0.4 },
  views: ViewsCodec.encode(decodeOrThrow(ViewsCodec, {})),
  ...fashionInputs,
}
