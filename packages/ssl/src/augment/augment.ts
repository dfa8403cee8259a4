/**
 * Image augmentations as pure, key-seeded functions on batches, and their composition.
 *
 *   type Augment = (key, images [B, H, W, C]) → images [B, H, W, C]
 *
 * Contract: an `Augment` is a pure function of its key and its images: the same key and images
 * give the same output on every run and backend; it never draws unseeded tfjs randomness (host
 * draws from `@jepa-ts/core` keys only). Shapes are preserved. The input is neither mutated nor
 * disposed; the caller owns the result. Per-image randomness (boxes, factors, sigmas) is drawn from
 * `fold(key, b)` for image b, so an image's view does not depend on the batch size.
 * - `pipeline(a, b, …)` runs the stages in order, stage i with `fold(key, i)` (it owns the split).
 * - `withProbability(p, f)` applies `f` to each image with probability p (one uniform per image from
 *   `fold(key, 'apply')`), keeping the other images exactly (p = 0 is the identity, bit for bit).
 * Families draw views from `stream(stepKey, 'augment')`.
 */
import * as tf from '@tensorflow/tfjs'
import { type Key, fold, uniform } from '@jepa-ts/core'

/** A batched augmentation: `(key, images [B, H, W, C]) → [B, H, W, C]`. */
export type Augment = (key: Key, images: tf.Tensor4D) => tf.Tensor4D

/** The identity augmentation (returns a clone the caller owns). */
export const identityAugment: Augment = (_key, images) => tf.clone(images)

/** Uniform numbers in [0, 1) for image `b` of a batch, from `fold(key, b)`. */
export const perImage = (key: Key, b: number, n: number): Float32Array => uniform(fold(key, b), n)

/** Runs the stages in order; stage i gets `fold(key, i)`. Intermediate batches are disposed. */
export const pipeline = (...stages: readonly Augment[]): Augment => (key, images) => {
  let current = images
  stages.forEach((stage, i) => {
    const next = stage(fold(key, i), current)
    if (current !== images) current.dispose()
    current = next
  })
  return current === images ? tf.clone(images) : current
}

/** Applies `f` to each image independently with probability `p` ∈ [0, 1]; the others pass unchanged. */
export const withProbability = (p: number, f: Augment): Augment => {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`withProbability: p must be in [0, 1], got ${p}`)
  return (key, images) => {
    const B = images.shape[0]
    const draws = uniform(fold(key, 'apply'), B)
    const apply = Array.from(draws, (u) => u < p)
    if (apply.every((a) => !a)) return tf.clone(images)
    return tf.tidy(() => {
      const transformed = f(fold(key, 'transform'), images)
      if (apply.every((a) => a)) return transformed
      const mask = tf.tensor4d(apply.map((a) => (a ? 1 : 0)), [B, 1, 1, 1], 'bool')
      return tf.where(tf.broadcastTo(mask, images.shape), transformed, images) as tf.Tensor4D
    })
  }
}

/** Clips to [lo, hi] (the range images live in; [0, 1] for `toBatchTensor`'s default scaling). */
export const clipTo = (range: readonly [number, number]): Augment => (_key, images) => tf.clipByValue(images, range[0], range[1])
