/**
 * Shared fixtures of the joint-embedding family tests: a tiny config (16×16×1 images, patch 4,
 * dim 16, depth 1), a fixed batch of 16 distinct block images, and the three checks every family
 * runs — learning on a fixed batch with a fixed key, a flat live-tensor count across steps, and
 * bit-identical states from the same key.
 */
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import { type Key, flatten, keyOf, uniform } from '@jepa-ts/core'
import { type Family, type TrainState, disposeState, stateToTree } from '@jepa-ts/train'

/** Learning rate of the tiny runs: constant (no warmup, no decay), large enough to move in 10 steps. */
export const tinyLr = 3e-3

/** The JSON fields every tiny config shares. */
export const tinyBase = {
  image: [16, 16, 1],
  patchSize: 4,
  encoder: { dim: 16, depth: 1, heads: 2 },
  projector: { hidden: 32, out: 16 },
  optimizer: { lr: tinyLr, startLr: tinyLr, finalLr: tinyLr, warmupSteps: 0, weightDecay: 0.04, finalWeightDecay: 0.04 },
  views: { crop: { scale: [0.5, 1] }, blur: { prob: 0 }, noise: { prob: 0 } },
} as const

/** 16 distinct images: random 4×4 gray levels upsampled (nearest) to 16×16 (the caller disposes). */
export const blockImages = (seed = 1, B = 16): tf.Tensor4D =>
  tf.tidy(() => tf.image.resizeNearestNeighbor(tf.tensor4d(uniform(keyOf(seed), B * 16), [B, 4, 4, 1]), [16, 16]) as tf.Tensor4D)

/** Runs `steps` steps from `init(keyOf(0))` with the SAME key each step; returns the losses and the live-tensor counts after each step. */
export const trainFixed = (family: Family, images: tf.Tensor4D, steps: number, key: Key = keyOf(9)): { readonly losses: number[]; readonly live: number[]; readonly state: TrainState; readonly metrics: Record<string, number>[] } => {
  let state = family.init(keyOf(0))
  const losses: number[] = []
  const live: number[] = []
  const metrics: Record<string, number>[] = []
  for (let i = 0; i < steps; i++) {
    const r = family.step(state, images, key)
    state = r.state
    losses.push(r.metrics.loss)
    metrics.push({ ...r.metrics })
    live.push(tf.memory().numTensors)
  }
  return { losses, live, state, metrics }
}

/**
 * The learning check: after `steps` steps on a fixed batch and key the loss fell by at least `drop`
 * (absolute), every loss is finite, and the live-tensor count did not change after the first step.
 */
export const assertLearns = (family: Family, steps: number, drop: number, backend: string): number[] => {
  const images = blockImages()
  const { losses, live, state } = trainFixed(family, images, steps)
  disposeState(state)
  images.dispose()
  assert.ok(losses.every(Number.isFinite), `${family.name}/${backend}: finite losses ${losses.join(', ')}`)
  assert.ok(losses[losses.length - 1]! < losses[0]! - drop, `${family.name}/${backend}: loss fell by ≥ ${drop}: ${losses.map((l) => l.toFixed(4)).join(' → ')}`)
  assert.ok(live.every((n) => n === live[0]), `${family.name}/${backend}: no tensor leak across steps (live tensors ${live.join(', ')})`)
  return losses
}

/** Leaf values of a state, by path. */
export const stateValues = (s: TrainState): Record<string, number[]> => Object.fromEntries(flatten(stateToTree(s)).map(([p, t]) => [p, Array.from(t.dataSync())]))

/** Same init key and step keys → identical states after `steps` steps (different step keys each step). */
export const assertDeterministic = (family: Family, steps: number): void => {
  const run = (): Record<string, number[]> => {
    const images = blockImages()
    let state = family.init(keyOf(0))
    for (let i = 0; i < steps; i++) state = family.step(state, images, keyOf(100 + i)).state
    const v = stateValues(state)
    disposeState(state)
    images.dispose()
    return v
  }
  assert.deepEqual(run(), run(), `${family.name}: same keys, same state`)
}
