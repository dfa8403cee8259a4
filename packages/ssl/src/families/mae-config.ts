/**
 * The MAE family's config (He et al. 2021, https://arxiv.org/abs/2111.06377; DESIGN §3.4): an exact
 * io-ts codec with the paper's defaults, decoded once by `decodeMaeConfig`.
 *
 * Fields: `image` [H, W, C]; `patchSize`; `encoder` {dim, depth, heads}; `decoder` {dim, depth, heads}
 * (paper 512/8/16; smaller at small scale); `maskRatio` in [0, 1) (default 0.75); `normPix` (default
 * true); `optimizer` {lr (paper: 1.5e-4·batch/256), startLr 0, finalLr 0, warmupSteps, weightDecay
 * 0.05}: warmup then half-cosine lr, constant wd, AdamW betas (0.9, 0.95); `clsToken` (default false):
 * the reference's CLS token (`encoder.cls_token`, its position-embedding slot zero), kept so official
 * MAE checkpoints load with their exact outputs (`jepa import --family mae`).
 * Cross-field rules, reported naming their fields: the patch divides H and W; heads divide the
 * encoder and decoder widths, which are multiples of 4 (2-D sin-cos embedding); at least one token
 * is kept (⌊L·(1 − maskRatio)⌋ ≥ 1).
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { type ConfigError, NonNegativeInt, PositiveInt, PositiveNumber, decode, exact, refine, withDefaults } from '@jepa-ts/core'
import { MaskRatio, keepCountOf } from '@jepa-ts/masks'
import { ImageDimsCodec, NonNegativeNumber, PatchInitStdCodec, PixelNormCodec, fashionInputs } from './common.ts'
import { headsDivide, patchDividesImage, patchGrid } from './ijepa-config.ts'

const WidthCodec = exact({ dim: PositiveInt, depth: PositiveInt, heads: PositiveInt }, {}, 'Transformer')

/** MAE optimizer settings: warmup-cosine lr, constant weight decay. */
export const MaeOptimizerCodec = withDefaults(
  exact({}, { lr: PositiveNumber, startLr: NonNegativeNumber, finalLr: NonNegativeNumber, warmupSteps: NonNegativeInt, weightDecay: NonNegativeNumber }, 'MaeOptimizer'),
  { lr: 1.5e-4, startLr: 0, finalLr: 0, warmupSteps: 0, weightDecay: 0.05 },
  'MaeOptimizer',
)

const maeShape = withDefaults(
  exact(
    { image: ImageDimsCodec, patchSize: PositiveInt, encoder: WidthCodec, decoder: WidthCodec },
    { maskRatio: MaskRatio, normPix: t.boolean, optimizer: MaeOptimizerCodec, pixelNorm: PixelNormCodec, patchInitStd: PatchInitStdCodec, clsToken: t.boolean },
    'MaeConfig',
  ),
  { maskRatio: 0.75, normPix: true, optimizer: {}, clsToken: false },
  'MaeConfig',
)

/** A decoded MAE config. */
export type MaeConfig = t.TypeOf<typeof maeShape>
/** The JSON form of an MAE config. */
export type MaeConfigInput = t.OutputOf<typeof maeShape>

/** The MAE config codec with its cross-field rules. */
export const MaeConfigCodec = refine(
  headsDivide(headsDivide(patchDividesImage(maeShape), 'encoder', (c) => c.encoder.dim, (c) => c.encoder.heads), 'decoder', (c) => c.decoder.dim, (c) => c.decoder.heads),
  (c) => keepCountOf(patchGrid(c)[0] * patchGrid(c)[1], c.maskRatio) >= 1,
  (c, at) => `${at('maskRatio')} (${c.maskRatio}) keeps no token of the ${patchGrid(c).join('×')} grid`,
  'maskRatio keeps a token',
)

/** Decodes an MAE config (JSON value). */
export const decodeMaeConfig = (input: unknown, root = ''): E.Either<ConfigError, MaeConfig> => decode(MaeConfigCodec, input, root) as E.Either<ConfigError, MaeConfig>

/** Decodes or throws an Error whose message lists every problem. */
export const decodeMaeConfigOrThrow = (input: unknown, root = ''): MaeConfig => {
  const r = decodeMaeConfig(input, root)
  if (E.isLeft(r)) throw new Error(r.left.format())
  return r.right
}

/** Fashion-MNIST MAE preset (32×32 padded, patch 4 → 8×8 grid, 16 visible tokens at 75%). */
export const maeFashionInput = {
  image: [32, 32, 1],
  patchSize: 4,
  encoder: { dim: 192, depth: 6, heads: 3 },
  decoder: { dim: 96, depth: 2, heads: 3 },
  maskRatio: 0.75,
  normPix: true,
  optimizer: { lr: 1.5e-4, startLr: 0, finalLr: 0, warmupSteps: 500, weightDecay: 0.05 },
  ...fashionInputs,
} as const satisfies MaeConfigInput
