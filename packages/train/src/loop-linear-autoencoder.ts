/**
 * The smallest complete `Family`: a denoising linear autoencoder on flattened images, trained with
 * AdamW under a warmup-cosine LR. It exists to exercise the loop, checkpoints, resume and the CLI
 * end to end in seconds, independently of the real SSL families; it is not a method to compare.
 *
 *   x [B, H·W·C] → keep each pixel with prob 0.75 (mask from the step key) → z = x̃·W_enc + b_enc [B, width]
 *   x̂ = z·W_dec + b_dec;   loss = mean((x̂ − x)²);   features(x) = x·W_enc + b_enc
 *
 * Params: `encoder.weight [P, width]`, `encoder.bias [width]`, `decoder.weight [width, P]`,
 * `decoder.bias [P]` (P = H·W·C); no target network. Metrics: loss, lr, wd, gradNorm.
 * Deterministic: init draws from `stream(key, 'params')`, the mask from `stream(key, 'mask')`, both
 * on the host, so a step is a pure function of (state, images, key) on a given backend.
 */
import * as tf from '@tensorflow/tfjs'
import { type ParamTree, type Key, disposeTree, stream, truncatedNormal, uniform } from '@jepa-ts/core'
import { type DeferredStep, type Family, type TrainState, gradNormDeferred, hostStep, lossAndGradsDeferred } from './family.ts'
import { adamwInit, adamwStep, disposeOptState } from './adamw.ts'
import { warmupCosine } from './schedules.ts'

/** Settings of the linear autoencoder. */
export interface LinearAutoencoderConfig {
  /** Image shape [H, W, C]. */
  readonly imageDims: readonly [number, number, number]
  /** Width of the code (= feature dim). */
  readonly width: number
  readonly lr: number
  readonly weightDecay: number
  readonly warmupSteps: number
  /** Steps of the LR schedule (cosine to 0 afterwards constant). */
  readonly totalSteps: number
}

const tensorOf = (tree: ParamTree, a: string, b: string): tf.Tensor2D | tf.Tensor1D => {
  const node = tree[a]
  if (node === undefined || node instanceof tf.Tensor) throw new Error(`linear-autoencoder: params lack ${a}`)
  const leaf = (node as ParamTree)[b]
  if (!(leaf instanceof tf.Tensor)) throw new Error(`linear-autoencoder: params lack ${a}.${b}`)
  return leaf as tf.Tensor2D | tf.Tensor1D
}

/** The linear autoencoder family. */
export const linearAutoencoder = (config: LinearAutoencoderConfig): Family => {
  const [h, w, c] = config.imageDims
  const pixels = h * w * c
  const lrAt = warmupCosine({ startLr: 0, lr: config.lr, finalLr: 0, warmupSteps: config.warmupSteps, totalSteps: Math.max(config.totalSteps, config.warmupSteps) })
  const encode = (params: ParamTree, x: tf.Tensor2D): tf.Tensor2D =>
    tf.add(tf.matMul(x, tensorOf(params, 'encoder', 'weight') as tf.Tensor2D), tensorOf(params, 'encoder', 'bias'))
  const flat = (images: tf.Tensor4D): tf.Tensor2D => tf.reshape(images, [images.shape[0], pixels])
  const stepDeferred: DeferredStep = (state, images, key) => {
    const b = images.shape[0]
    const keep = uniform(stream(key, 'mask'), b * pixels).map((u) => (u < 0.75 ? 1 : 0))
    const mask = tf.tensor2d(keep, [b, pixels])
    const x = flat(images)
    const noisy = tf.mul(x, mask) as tf.Tensor2D
    const { loss, grads } = lossAndGradsDeferred(state.params, (p) => {
      const z = encode(p, noisy)
      const xHat = tf.add(tf.matMul(z, tensorOf(p, 'decoder', 'weight') as tf.Tensor2D), tensorOf(p, 'decoder', 'bias'))
      return { loss: tf.mean(tf.square(tf.sub(xHat, x))) as tf.Scalar }
    })
    tf.dispose([mask, x, noisy])
    const lr = lrAt(state.step + 1)
    const norm = gradNormDeferred(grads)
    const next = adamwStep(state.params, grads, state.opt, { lr, weightDecay: config.weightDecay })
    disposeTree(grads)
    disposeTree(state.params)
    disposeOptState(state.opt)
    return { state: { step: state.step + 1, params: next.params, target: {}, opt: next.state }, metrics: { loss, lr, wd: config.weightDecay, gradNorm: norm } }
  }
  return {
    name: 'linear-ae',
    description: 'denoising linear autoencoder (a smoke-test family for the loop and the CLI, not an SSL method)',
    imageDims: [h, w, c],
    featureDim: config.width,
    init: (key: Key): TrainState => {
      const k = stream(key, 'params')
      const params: ParamTree = {
        encoder: { weight: tf.tensor2d(truncatedNormal(stream(k, 'encoder'), pixels * config.width, 0.02), [pixels, config.width]), bias: tf.zeros([config.width]) },
        decoder: { weight: tf.tensor2d(truncatedNormal(stream(k, 'decoder'), config.width * pixels, 0.02), [config.width, pixels]), bias: tf.zeros([pixels]) },
      }
      return { step: 0, params, target: {}, opt: adamwInit(params) }
    },
    stepDeferred,
    step: hostStep(stepDeferred),
    features: (state, images) => tf.tidy(() => encode(state.params, flat(images))),
  }
}
