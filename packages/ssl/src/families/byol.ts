/**
 * BYOL (Grill et al. 2020, https://arxiv.org/abs/2006.07733) on the joint-embedding skeleton:
 *
 *   online:  p_i = predictor(projector(encoder(v_i)))            differentiated
 *   target:  z'_i = projector'(encoder'(v_i))                    EMA copy, computed outside the tape
 *   loss = byolLoss(p1, sg(z'2)) + byolLoss(p2, sg(z'1)),  byolLoss = mean(2 − 2·cos)
 *   θ' ← τ_k·θ' + (1 − τ_k)·θ over ['encoder', 'projector'],  τ_k = 1 − (1 − τ0)(cos(πk/K) + 1)/2
 *
 * Anti-collapse: predictor + stop-gradient + EMA target. Config: the shared joint fields plus
 * `predictor` {hidden} and `momentum` τ0 (default 0.996).
 */
import type * as t from 'io-ts'
import * as tf from '@tensorflow/tfjs'
import { Probability, decodeOrThrow, exact, withDefaults } from '@jepa-ts/core'
import type { Family } from '@jepa-ts/train'
import { byolLoss } from '../energies/cosine.ts'
import { PredictorHeadCodec, jointChecks, jointDefaults, jointFashionBase, jointOptional, jointRequired } from './joint-config.ts'
import { type JointObjective, jointFamily } from './joint.ts'

const byolShape = withDefaults(
  exact({ ...jointRequired, predictor: PredictorHeadCodec }, { ...jointOptional, momentum: Probability }, 'ByolConfig'),
  { ...jointDefaults, momentum: 0.996 },
  'ByolConfig',
)
/** The BYOL config codec. */
export const ByolConfigCodec = jointChecks(byolShape)
/** A decoded BYOL config. */
export type ByolConfig = t.TypeOf<typeof byolShape>
/** The JSON form of a BYOL config. */
export type ByolConfigInput = t.OutputOf<typeof byolShape>

/** Fashion-MNIST preset (JSON form; also `examples/configs/byol-fashion.json`). */
export const byolFashionInput = { ...jointFashionBase, projector: { hidden: 512, out: 128 }, predictor: { hidden: 512 }, momentum: 0.996 } as const satisfies ByolConfigInput
/** Fashion-MNIST preset, decoded. */
export const byolFashion: ByolConfig = decodeOrThrow(ByolConfigCodec, byolFashionInput)

/** BYOL's objective: byolLoss(p1, sg(z'2)) + byolLoss(p2, sg(z'1)), z' from the EMA target network. */
export const byolObjective: JointObjective = {
  kind: 'predictor',
  target: 'ema',
  energy: ([p1, p2], [t1, t2]) => ({ loss: tf.tidy(() => tf.add(byolLoss(p1, t2), byolLoss(p2, t1)) as tf.Scalar) }),
}

/** The BYOL family (the schedule length sets the momentum's cosine too). */
export const byol = (config: ByolConfig, options: { readonly totalSteps: number }): Family =>
  jointFamily(
    config,
    {
      name: 'byol',
      description: `predicts the EMA target's embedding of the other view; 2 − 2·cos, symmetrized; predictor + stop-gradient + EMA (τ0 ${config.momentum})`,
      objective: byolObjective,
    },
    { totalSteps: options.totalSteps, emaBase: config.momentum },
  )
