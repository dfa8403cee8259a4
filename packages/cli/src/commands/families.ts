/**
 * The families the CLI can train, by name: each entry decodes its `model` config section (an io-ts
 * codec with readable errors rooted at `model`) and builds the `Family` for a schedule length.
 *
 * Contract: `build(input, root, options)` returns `Left(ConfigError)` naming fields under `root` for
 * a bad model section, else the family. Entries hide their config type (built from a typed decoder
 * and constructor by `familyEntry`), so one registry holds families with different configs. Commands
 * take a registry argument (default `defaultFamilies`), so tests can train a toy family.
 *
 * Registered: `ijepa`, `ijepa-vc`, `mae`, `simclr`, `vicreg`, `barlow`, `byol`, `simsiam` (@jepa-ts/ssl,
 * each with its own config codec and Fashion-MNIST preset as `example`) and `linear-ae` (the loop's
 * smoke-test autoencoder from @jepa-ts/train).
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { type ConfigError, decode, exact, withDefaults, PositiveInt, NonNegativeInt, PositiveNumber } from '@jepa-ts/core'
import { type Family, linearAutoencoder } from '@jepa-ts/train'
import {
  decodeIjepaConfig, ijepa, ijepaFashionInput, ijepaVc,
  decodeMaeConfig, mae, maeFashionInput,
  SimclrConfigCodec, simclr, simclrFashionInput,
  VicregConfigCodec, vicregFamily, vicregFashionInput,
  BarlowConfigCodec, barlowFamily, barlowFashionInput,
  ByolConfigCodec, byol, byolFashionInput,
  SimsiamConfigCodec, simsiam, simsiamFashionInput,
} from '@jepa-ts/ssl'

/** What a family needs besides its config. */
export interface FamilyBuildOptions {
  /** Steps of the LR / weight-decay / EMA schedules. */
  readonly totalSteps: number
}

/** A trainable family known to the CLI. */
export interface FamilyEntry {
  readonly name: string
  readonly description: string
  /** A model section that decodes (for docs and `jepa families`). */
  readonly example: unknown
  build(input: unknown, root: string, options: FamilyBuildOptions): E.Either<ConfigError, Family>
}

/** Builds an entry from a typed decoder and constructor. */
export const familyEntry = <C>(spec: {
  readonly name: string
  readonly description: string
  readonly example: unknown
  readonly decode: (input: unknown, root: string) => E.Either<ConfigError, C>
  readonly create: (config: C, options: FamilyBuildOptions) => Family
}): FamilyEntry => ({
  name: spec.name,
  description: spec.description,
  example: spec.example,
  build: (input, root, options) => {
    const decoded = spec.decode(input, root)
    return E.isLeft(decoded) ? decoded : E.right(spec.create(decoded.right, options))
  },
})

/** The linear autoencoder's model section. */
export const LinearAeConfigCodec = withDefaults(
  exact(
    { image: t.tuple([PositiveInt, PositiveInt, PositiveInt], 'ImageDims [H, W, C]'), width: PositiveInt },
    { lr: PositiveNumber, weightDecay: t.number, warmupSteps: NonNegativeInt },
    'LinearAeConfig',
  ),
  { lr: 1e-3, weightDecay: 0.05, warmupSteps: 10 },
  'LinearAeConfig',
)

const linearAe = familyEntry({
  name: 'linear-ae',
  description: 'denoising linear autoencoder: a smoke test of the loop and the CLI, not an SSL method',
  example: { image: [32, 32, 1], width: 32 },
  decode: (input, root) => decode(LinearAeConfigCodec, input, root),
  create: (c, o) => linearAutoencoder({ imageDims: c.image, width: c.width, lr: c.lr, weightDecay: c.weightDecay, warmupSteps: Math.min(c.warmupSteps, o.totalSteps), totalSteps: o.totalSteps }),
})

const ijepaEntry = familyEntry({
  name: 'ijepa',
  description: 'I-JEPA: predicts EMA-encoder representations of target blocks from a context block',
  example: ijepaFashionInput,
  decode: decodeIjepaConfig,
  create: (c, o) => ijepa(c, { totalSteps: o.totalSteps }),
})

const ijepaVcEntry = familyEntry({
  name: 'ijepa-vc',
  description: 'I-JEPA with VICReg-style variance/covariance terms on the predictions',
  example: ijepaFashionInput,
  decode: decodeIjepaConfig,
  create: (c, o) => ijepaVc(c, { totalSteps: o.totalSteps }),
})

const maeEntry = familyEntry({
  name: 'mae',
  description: 'MAE: reconstructs the normalized pixels of masked patches',
  example: maeFashionInput,
  decode: decodeMaeConfig,
  create: (c, o) => mae(c, { totalSteps: o.totalSteps }),
})

const simclrEntry = familyEntry({
  name: 'simclr',
  description: 'SimCLR: NT-Xent between two augmented views (contrastive negatives)',
  example: simclrFashionInput,
  decode: (input, root) => decode(SimclrConfigCodec, input, root),
  create: (c, o) => simclr(c, { totalSteps: o.totalSteps }),
})

const vicregEntry = familyEntry({
  name: 'vicreg',
  description: 'VICReg: invariance + variance + covariance between two views',
  example: vicregFashionInput,
  decode: (input, root) => decode(VicregConfigCodec, input, root),
  create: (c, o) => vicregFamily(c, { totalSteps: o.totalSteps }),
})

const barlowEntry = familyEntry({
  name: 'barlow',
  description: 'Barlow Twins: cross-correlation of two views toward the identity',
  example: barlowFashionInput,
  decode: (input, root) => decode(BarlowConfigCodec, input, root),
  create: (c, o) => barlowFamily(c, { totalSteps: o.totalSteps }),
})

const byolEntry = familyEntry({
  name: 'byol',
  description: 'BYOL: predictor + EMA target + stop-gradient, negative cosine',
  example: byolFashionInput,
  decode: (input, root) => decode(ByolConfigCodec, input, root),
  create: (c, o) => byol(c, { totalSteps: o.totalSteps }),
})

const simsiamEntry = familyEntry({
  name: 'simsiam',
  description: 'SimSiam: predictor + stop-gradient, negative cosine',
  example: simsiamFashionInput,
  decode: (input, root) => decode(SimsiamConfigCodec, input, root),
  create: (c, o) => simsiam(c, { totalSteps: o.totalSteps }),
})

/** Families by name. */
export type FamilyRegistry = ReadonlyMap<string, FamilyEntry>

/** Makes a registry from entries (later entries replace earlier ones of the same name). */
export const familyRegistry = (entries: readonly FamilyEntry[]): FamilyRegistry => new Map(entries.map((e) => [e.name, e]))

/** The families of this build. */
export const defaultFamilies: FamilyRegistry = familyRegistry([ijepaEntry, ijepaVcEntry, maeEntry, simclrEntry, vicregEntry, barlowEntry, byolEntry, simsiamEntry, linearAe])
