/**
 * A data2vec-style family written outside the packages, from exported names only — a plug-in for
 * `jepa`: a run config names this file (`"family": "./data2vec.ts"`) and `jepa train`, `eval`,
 * `compare` and `sweep` treat it like a built-in family (docs/families.md, "Write your own family").
 *
 * The method (after data2vec, Baevski et al. 2022, https://arxiv.org/abs/2202.03555, simplified):
 * the student ViT encodes a random `1 − maskRatio` of the patch tokens; a linear head maps their
 * mean to a prediction of the teacher's target — the mean over all tokens of the EMA teacher's
 * layer-normalized (no affine) token features of the full image; the loss is their mean squared
 * error. The teacher runs outside the differentiated function (stop-gradient) and follows the
 * student's encoder by EMA with the momentum rising linearly from `momentum` to 1 over the
 * schedule. AdamW with a warmup-cosine learning rate. Features: the teacher's mean token; tokens:
 * the teacher's tokens (for the attentive probe).
 *
 * The module's contract (packages/cli/src/family-module.ts): the default export is a `FamilyEntry`,
 * here made by `familyEntry({ name, description, example, decode, create })`.
 */
import * as tf from '@tensorflow/tfjs'
import * as t from 'io-ts'
import { type Ctx, type Key, type ParamTree, PositiveInt, PositiveNumber, NonNegativeInt, checkParams, decode, disposeTree, exact, fold, initOrThrow, keyOf, mapTree, stream, withDefaults } from '@jepa-ts/core'
import { randomMasking } from '@jepa-ts/masks'
import { encode, linear, vit } from '@jepa-ts/nn'
import { emaOver, ijepaMomentum } from '@jepa-ts/ssl'
import { type Family, adamwInit, adamwStep, disposeOptState, lossAndGrads, warmupCosine } from '@jepa-ts/train'
import { familyEntry } from '@jepa-ts/cli'

/** A mask ratio: a number in [0, 1) (some tokens must stay visible). */
const MaskRatio = t.brand(t.number, (r): r is t.Branded<number, { readonly MaskRatio: unique symbol }> => r >= 0 && r < 1, 'MaskRatio')

/** The model section of a run config. */
export const Data2vecConfigCodec = withDefaults(
  exact(
    { image: t.tuple([PositiveInt, PositiveInt, PositiveInt], 'ImageDims [H, W, C]'), patchSize: PositiveInt, dim: PositiveInt, depth: PositiveInt, heads: PositiveInt },
    { maskRatio: MaskRatio, lr: PositiveNumber, weightDecay: t.number, warmupSteps: NonNegativeInt, momentum: t.number },
    'Data2vecConfig',
  ),
  { maskRatio: 0.5, lr: 1e-3, weightDecay: 0.05, warmupSteps: 10, momentum: 0.996 },
  'Data2vecConfig',
)

/** A decoded model section. */
export type Data2vecConfig = t.TypeOf<typeof Data2vecConfigCodec>

const evaluation: Ctx = { key: keyOf(0), training: false }
const branch = (tree: ParamTree, name: string): ParamTree => tree[name] as ParamTree

/** The family for a decoded config and a schedule of `totalSteps`. */
export const data2vec = (c: Data2vecConfig, totalSteps: number): Family => {
  const [h, w, ch] = c.image
  if (h !== w || h % c.patchSize !== 0) throw new Error(`model.image must be square and a multiple of model.patchSize (${c.patchSize}); got ${h}×${w}`)
  const encoder = vit({ imageSize: h, patchSize: c.patchSize, inChans: ch, dim: c.dim, depth: c.depth, heads: c.heads })
  const head = linear(c.dim, c.dim, { name: 'head' })
  const tokenCount = (h / c.patchSize) ** 2
  const lr = warmupCosine({ startLr: 0, lr: c.lr, finalLr: c.lr / 100, warmupSteps: Math.min(c.warmupSteps, totalSteps), totalSteps })
  const momentum = ijepaMomentum({ start: c.momentum, end: 1, totalSteps })
  const teacherTokens = (target: ParamTree, images: tf.Tensor): tf.Tensor => encode(encoder, branch(target, 'encoder'), images, evaluation)
  /** The regression target: mean over tokens of the layer-normalized teacher tokens, [B, dim]. */
  const teacher = (target: ParamTree, images: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      const z = teacherTokens(target, images)
      const { mean, variance } = tf.moments(z, -1, true)
      return tf.mean(tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, 1e-6))), 1)
    })
  const student = (p: ParamTree, images: tf.Tensor, keep: tf.Tensor, key: Key): tf.Tensor => {
    const pooled = tf.mean(encode(encoder, branch(p, 'encoder'), images, { key, training: true }, keep), 1)
    return head.apply(checkParams(head, branch(p, 'head'), pooled.shape), pooled, evaluation) as tf.Tensor
  }
  return {
    name: 'data2vec',
    description: 'predicts the EMA teacher’s mean normalized token features of the full image from a masked view; MSE; EMA + stop-gradient',
    imageDims: [h, w, ch],
    featureDim: c.dim,
    init: (key) => {
      const k = stream(key, 'params')
      const params = { encoder: initOrThrow(encoder.layer, fold(k, 'encoder'), [1, h, w, ch]).params, head: initOrThrow(head, fold(k, 'head'), [1, c.dim]).params }
      return { step: 0, params, target: { encoder: mapTree(params.encoder, (x) => tf.clone(x)) }, opt: adamwInit(params) }
    },
    step: (state, images, key) => {
      const batch = images.shape[0]
      const m = randomMasking(stream(key, 'mask'), batch, tokenCount, c.maskRatio)
      const keep = tf.tensor2d(m.idsKeep.data, [batch, m.idsKeep.shape[1]], 'int32')
      const target = teacher(state.target, images)
      const r = lossAndGrads(state.params, (p) => ({ loss: tf.mean(tf.squaredDifference(student(p, images, keep, stream(key, 'dropout')), target)) as tf.Scalar }))
      tf.dispose([keep, target])
      const rate = lr(state.step)
      const next = adamwStep(state.params, r.grads, state.opt, { lr: rate, weightDecay: c.weightDecay })
      disposeTree(state.params)
      disposeTree(r.grads)
      disposeOptState(state.opt)
      const ema = emaOver('encoder')(momentum(state.step))(state.target, next.params)
      disposeTree(state.target)
      return { state: { step: state.step + 1, params: next.params, target: ema, opt: next.state }, metrics: { loss: r.loss, lr: rate } }
    },
    features: (state, images) => tf.tidy(() => tf.mean(teacherTokens(state.target, images), 1) as tf.Tensor2D),
    tokens: (state, images) => teacherTokens(state.target, images) as tf.Tensor3D,
  }
}

/** A model section that decodes (small: a 32×32 grayscale input, 16 tokens of width 32). */
export const data2vecExample = { image: [32, 32, 1], patchSize: 8, dim: 32, depth: 2, heads: 2 }

/** The plug-in: what `"family": "./data2vec.ts"` loads. */
export default familyEntry({
  name: 'data2vec',
  description: 'data2vec-style: regresses the EMA teacher’s mean normalized token features from a masked view (a plug-in family)',
  example: data2vecExample,
  decode: (input, root) => decode(Data2vecConfigCodec, input, root),
  create: (config, { totalSteps }) => data2vec(config, totalSteps),
})
