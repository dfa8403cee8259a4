/**
 * Parts the masked-prediction families (I-JEPA, MAE and their variants) share: index batches as
 * tensors, average pooling, the non-affine feature norm, the config pieces (image, optimizer) and
 * one AdamW update with its schedules.
 *
 * Contract: every function is pure; tensors it returns are owned by the caller and its inputs are
 * neither mutated nor disposed. `optimizerStep` consumes nothing either: the family's `step` drops
 * the old params, grads and moments itself (see `@jepa-ts/train` `family.ts`).
 * Schedule convention: optimizer update k (0-based, = `state.step`) uses lr and wd at s = k + 1, the
 * I-JEPA reference's (its `scheduler.step()` runs before each update; see `schedules.ts`); the EMA
 * momentum uses k (reference: `i = 0` at the first update; see `ema.ts`).
 */
import * as tf from '@tensorflow/tfjs'
import * as t from 'io-ts'
import { type ParamTree, NonNegativeInt, PositiveInt, PositiveNumber, disposeTree, exact, withDefaults } from '@jepa-ts/core'
import type { IndexBatch } from '@jepa-ts/masks'
import { type DecayPredicate, type OptState, type Schedule, adamwStep, decayExceptBiasAnd1d, disposeOptState } from '@jepa-ts/train'

/** `IndexBatch` (host int32 rows) → int32 tensor [B, K]. */
export const indexTensor = (batch: IndexBatch): tf.Tensor2D => tf.tensor2d(batch.data, [batch.shape[0], batch.shape[1]], 'int32')

/** Mean over the token axis: [B, N, D] → [B, D] (the evaluation representation, no CLS token). */
export const averagePool = (tokens: tf.Tensor): tf.Tensor2D => tf.tidy(() => tf.mean(tokens, 1) as tf.Tensor2D)

/**
 * Layer norm over the last (feature) axis WITHOUT affine params — the reference's
 * `F.layer_norm(h, (h.size(-1),))` on the target features, with torch's default eps 1e-5.
 */
export const normalizeFeatures = (h: tf.Tensor, eps = 1e-5): tf.Tensor =>
  tf.tidy(() => {
    const { mean, variance } = tf.moments(h, -1, true)
    return tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, eps)))
  })

/** Image shape codec [H, W, C]. */
export const ImageDimsCodec = t.tuple([PositiveInt, PositiveInt, PositiveInt], 'ImageDims [H, W, C]')

/**
 * `pixelNorm` {mean, std}: standardize the images before the encoder (`@jepa-ts/nn` `pixelNorm`), one
 * number for every channel or one per channel; std > 0. Absent: the images go in as they are.
 */
export const PixelNormCodec = exact(
  { mean: t.union([t.number, t.array(t.number)], 'number | number[]'), std: t.union([PositiveNumber, t.array(PositiveNumber)], 'PositiveNumber | PositiveNumber[]') },
  {},
  'PixelNorm',
)

/** `patchInitStd`: the std of patch_embed's init (`@jepa-ts/nn` `VitConfig.patchInitStd`; default 0.02). */
export const PatchInitStdCodec = PositiveNumber

/**
 * The Fashion-MNIST presets' encoder inputs: pixels standardized with the train split's mean and std
 * (`pixelStats`), and patch_embed initialized at 0.02·√(768/16) = 0.139 — the reference's
 * patch-embedding scale for its 16×16×3 patches, here for 4×4×1 ones. Without them I-JEPA learns the
 * position shortcut at this scale (docs/results.md, "Inputs").
 */
export const fashionInputs = { pixelNorm: { mean: 0.286, std: 0.353 }, patchInitStd: 0.139 } as const

/** The ViT options of a family config's `pixelNorm` and `patchInitStd`, when given. */
export const encoderInputOptions = (c: { readonly pixelNorm?: t.TypeOf<typeof PixelNormCodec>; readonly patchInitStd?: number }): { readonly pixelNorm?: t.TypeOf<typeof PixelNormCodec>; readonly patchInitStd?: number } => ({
  ...(c.pixelNorm === undefined ? {} : { pixelNorm: c.pixelNorm }),
  ...(c.patchInitStd === undefined ? {} : { patchInitStd: c.patchInitStd }),
})

/** Brand of finite numbers x ≥ 0 (learning rates that may be 0, weight decays). */
export interface NonNegativeNumberBrand {
  readonly NonNegativeNumber: unique symbol
}
/** A finite number x ≥ 0. */
export const NonNegativeNumber = t.brand(t.number, (x): x is t.Branded<number, NonNegativeNumberBrand> => Number.isFinite(x) && x >= 0, 'NonNegativeNumber')

/** I-JEPA style optimizer settings: warmup-cosine lr, cosine weight decay. */
export const OptimizerCodec = withDefaults(
  exact({}, { lr: PositiveNumber, startLr: NonNegativeNumber, finalLr: NonNegativeNumber, warmupSteps: NonNegativeInt, weightDecay: NonNegativeNumber, finalWeightDecay: NonNegativeNumber }, 'Optimizer'),
  { lr: 1e-3, startLr: 2e-4, finalLr: 1e-6, warmupSteps: 0, weightDecay: 0.04, finalWeightDecay: 0.4 },
  'Optimizer',
)
export type OptimizerSettings = t.TypeOf<typeof OptimizerCodec>

/** The three per-step numbers of one update. */
export interface StepSchedules {
  readonly lr: Schedule
  readonly weightDecay: Schedule
}

/** Throws a RangeError naming `family` unless `totalSteps` is an integer ≥ max(1, the optimizer's warmup steps). */
export const checkTotalSteps = (family: string, totalSteps: number, warmupSteps: number): void => {
  if (!(Number.isInteger(totalSteps) && totalSteps >= Math.max(1, warmupSteps))) {
    throw new RangeError(`${family}: totalSteps (${totalSteps}) must be an integer ≥ max(1, optimizer.warmupSteps = ${warmupSteps})`)
  }
}

/** Metrics from schedules at optimizer update `k`. */
export const scheduleValuesAt = (s: StepSchedules, k: number): { readonly lr: number; readonly wd: number } => ({ lr: s.lr(k + 1), wd: s.weightDecay(k + 1) })

/**
 * One AdamW update of `params` with `grads` at update `k`; returns the new params and moments and
 * DISPOSES the old params, grads and moments (the family step owns them).
 */
export const optimizerStep = (
  params: ParamTree,
  grads: ParamTree,
  opt: OptState,
  values: { readonly lr: number; readonly wd: number },
  betas: readonly [number, number] = [0.9, 0.999],
  decays: DecayPredicate = decayExceptBiasAnd1d,
): { readonly params: ParamTree; readonly opt: OptState } => {
  const next = adamwStep(params, grads, opt, { lr: values.lr, weightDecay: values.wd, beta1: betas[0], beta2: betas[1], decays })
  disposeTree(params)
  disposeTree(grads)
  disposeOptState(opt)
  return { params: next.params, opt: next.state }
}

/** A sub-tree of a param tree (throws naming the path when it is absent or a tensor). */
export const branch = (tree: ParamTree, name: string): ParamTree => {
  const s = tree[name]
  if (s === undefined || s instanceof tf.Tensor) throw new Error(`expected a param subtree at "${name}" (keys: ${Object.keys(tree).join(', ')})`)
  return s
}
