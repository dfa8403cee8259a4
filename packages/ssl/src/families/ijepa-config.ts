/**
 * The I-JEPA family's config: an exact io-ts codec (unknown keys are errors) with the paper's
 * defaults, decoded once at the edge by `decodeIjepaConfig`, plus the typed Fashion-MNIST preset.
 *
 * Fields: `image` [H, W, C]; `patchSize`; `encoder` {dim, depth, heads}; `predictor` {dim, depth}
 * (heads = the encoder's); `masks` any `@jepa-ts/masks` strategy (default: the reference multi-block
 * collator); `energy` 'smoothL1' (reference code, default) | 'l2' (paper text); `optimizer` {lr,
 * startLr, finalLr, warmupSteps, weightDecay, finalWeightDecay}; `ema` [m0, m1] (default [0.996, 1]);
 * `pixelNorm` {mean, std} (optional: standardize the images before the encoder; see `PixelNormCodec`);
 * `patchInitStd` (optional: patch_embed's init std, default the reference's 0.02).
 * Cross-field rules, each reported naming its fields: the patch divides H and W; heads divide the
 * encoder and predictor widths; both widths are multiples of 4 (2-D sin-cos embedding); the mask
 * settings work on the patch grid (`checkSettings`, errors at `masks.*`).
 *
 * Fashion-MNIST preset (`ijepaFashion`): 28×28 padded to 32×32 (`toBatchTensor(ds, idx, {padTo: 32})`),
 * patch 4 → an 8×8 grid. On 7×7 the reference collator leaves ~7 context tokens (DESIGN §3.3), so the
 * grid is 8×8 and the masks are `multi-block-corrected` (the corrected placement rule can put the
 * context anywhere, not only in the top-left (H−1)² square) with minKeep 4 and 4 targets of scale
 * (0.15, 0.2) (minKeep 10 is rejected on 8×8). Measured with the collator (batch 64, means over 50
 * batches; `examples/ijepa.ts --measure-masks`): 20.5 context tokens after the cut (30.2 before), 10.6
 * per target block — 32% of the grid as context, near the paper's 27% at 14×14; the reference rule
 * leaves 12.1 (19%), 2 targets would leave 38.3 (60%, an easier task). Table in docs/families.md.
 * Inputs: `fashionInputs` (standardized pixels, patch init 0.139), as every Fashion preset.
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { type ConfigError, PositiveInt, Probability, configError, decode, exact, refine, withDefaults } from '@jepa-ts/core'
import { type MaskSettings, MaskSettingsCodec, checkSettings, grid as gridOf, multiBlockDefaults } from '@jepa-ts/masks'
import { ImageDimsCodec, OptimizerCodec, PatchInitStdCodec, PixelNormCodec, fashionInputs } from './common.ts'

const EncoderCodec = exact({ dim: PositiveInt, depth: PositiveInt, heads: PositiveInt }, {}, 'Encoder')
const PredictorCodec = exact({ dim: PositiveInt, depth: PositiveInt }, {}, 'Predictor')

/** The energy between predicted and target representations. */
export const EnergyNameCodec = t.union([t.literal('smoothL1'), t.literal('l2')], 'Energy ("smoothL1" | "l2")')

const ijepaShape = withDefaults(
  exact(
    { image: ImageDimsCodec, patchSize: PositiveInt, encoder: EncoderCodec, predictor: PredictorCodec },
    { masks: MaskSettingsCodec, energy: EnergyNameCodec, optimizer: OptimizerCodec, pixelNorm: PixelNormCodec, patchInitStd: PatchInitStdCodec, ema: t.tuple([Probability, Probability], 'EmaRange [m0, m1]') },
    'IjepaConfig',
  ),
  { masks: multiBlockDefaults, energy: 'smoothL1', optimizer: {}, ema: [0.996, 1] },
  'IjepaConfig',
)

/** Cross-field rules shared by the masked-prediction families: patch divides image, heads divide widths. */
export const patchDividesImage = <A extends { readonly image: readonly [number, number, number]; readonly patchSize: number }>(codec: t.Type<A, unknown, unknown>): t.Type<A, unknown, unknown> =>
  refine(
    codec,
    (c) => c.image[0] % c.patchSize === 0 && c.image[1] % c.patchSize === 0,
    (c, at) => `${at('patchSize')} (${c.patchSize}) must divide ${at('image')} height and width (${c.image[0]}×${c.image[1]})`,
    'patchSize divides image',
  )

/** `heads` divides `dim` and 4 divides `dim`, reported at `path`. */
export const headsDivide = <A>(codec: t.Type<A, unknown, unknown>, path: string, dimOf: (a: A) => number, headsOf: (a: A) => number): t.Type<A, unknown, unknown> =>
  refine(
    codec,
    (c) => dimOf(c) % headsOf(c) === 0 && dimOf(c) % 4 === 0,
    (c, at) => `${at(`${path}.dim`)} (${dimOf(c)}) must be a multiple of 4 (2-D sin-cos position embedding) and of the heads (${headsOf(c)})`,
    `heads divide ${path}.dim`,
  )

/** The I-JEPA config codec (without the grid check of the masks; `decodeIjepaConfig` adds it). */
export const IjepaConfigCodec = headsDivide(
  headsDivide(patchDividesImage(ijepaShape), 'encoder', (c) => c.encoder.dim, (c) => c.encoder.heads),
  'predictor',
  (c) => c.predictor.dim,
  (c) => c.encoder.heads,
)

/** A decoded I-JEPA config. */
export type IjepaConfig = t.TypeOf<typeof ijepaShape>
/** The JSON form of an I-JEPA config (what a file or a preset holds). */
export type IjepaConfigInput = t.OutputOf<typeof ijepaShape>

/** The patch grid of an image config. */
export const patchGrid = (c: { readonly image: readonly [number, number, number]; readonly patchSize: number }): readonly [number, number] => [c.image[0] / c.patchSize, c.image[1] / c.patchSize]

/** Checks mask settings against the patch grid, reporting at `masks.*`. */
export const checkMasksOnGrid = <C extends { readonly masks: MaskSettings; readonly image: readonly [number, number, number]; readonly patchSize: number }>(c: C, root: string): E.Either<ConfigError, C> => {
  const [h, w] = patchGrid(c)
  const checked = checkSettings(c.masks, gridOf(h, w), root === '' ? 'masks' : `${root}.masks`)
  return E.isLeft(checked) ? E.left(configError(checked.left.issues)) : E.right(c)
}

/** Decodes an I-JEPA config (JSON value) and checks its masks on the patch grid. */
export const decodeIjepaConfig = (input: unknown, root = ''): E.Either<ConfigError, IjepaConfig> => {
  const decoded = decode(IjepaConfigCodec, input, root)
  return E.isLeft(decoded) ? decoded : checkMasksOnGrid(decoded.right as IjepaConfig, root)
}

/** Decodes or throws an Error whose message lists every problem. */
export const decodeIjepaConfigOrThrow = (input: unknown, root = ''): IjepaConfig => {
  const r = decodeIjepaConfig(input, root)
  if (E.isLeft(r)) throw new Error(r.left.format())
  return r.right
}

/** The Fashion-MNIST preset in JSON form (also `examples/configs/ijepa-fashion.json`). */
export const ijepaFashionInput = {
  image: [32, 32, 1],
  patchSize: 4,
  encoder: { dim: 192, depth: 6, heads: 3 },
  predictor: { dim: 96, depth: 4 },
  masks: { ...multiBlockDefaults, strategy: 'multi-block-corrected', minKeep: 4 },
  energy: 'smoothL1',
  optimizer: { lr: 1e-3, startLr: 2e-4, finalLr: 1e-6, warmupSteps: 500, weightDecay: 0.04, finalWeightDecay: 0.4 },
  ema: [0.996, 1],
  ...fashionInputs,
} as const satisfies IjepaConfigInput

/** The Fashion-MNIST preset, decoded. */
export const ijepaFashion: IjepaConfig = decodeIjepaConfigOrThrow(ijepaFashionInput)
