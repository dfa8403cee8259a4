/**
 * A new family by recombination: I-JEPA whose energy also carries VICReg's variance and covariance
 * terms (Bardes et al. 2022, https://arxiv.org/abs/2105.04906) on the predictor output — the JEPA
 * keeps its EMA target and stop-gradient, and the predictions are additionally pushed to keep
 * per-dimension spread (variance hinge) and decorrelated dimensions (covariance).
 *
 *   loss = energy(ẑ, h) + w_v·v(ẑ) + w_c·c(ẑ),   ẑ viewed as rows [T·B·Kt, D]
 * with v, c exactly the terms `vicreg` returns (`vicreg(ẑ, ẑ)` gives v(ẑ) and 2·c(ẑ)). Nothing else
 * changes: the family is `ijepa` with another energy — a composition, not a subclass.
 * Weights 0 give I-JEPA exactly. Extra metrics: energy, variance, covariance (unweighted).
 */
import * as tf from '@tensorflow/tfjs'
import type { Family } from '@jepa-ts/train'
import { vicreg } from '../energies/vicreg.ts'
import { type IjepaOptions, type JepaEnergy, energyOf, ijepa } from './ijepa.ts'
import type { IjepaConfig } from './ijepa-config.ts'

/** Weights of the variance and covariance terms. */
export interface VcWeights {
  readonly variance: number
  readonly covariance: number
}

/** `base` plus VICReg's variance and covariance of the predictions. */
export const withVarianceCovariance = (base: JepaEnergy, w: VcWeights): JepaEnergy => (predicted, target) => {
  const energy = base(predicted, target).loss
  const rows = tf.reshape(predicted, [-1, predicted.shape[predicted.rank - 1]!]) as tf.Tensor2D
  const terms = vicreg(rows, rows)
  const covariance = tf.mul(terms.covariance, 0.5) as tf.Scalar
  const loss = tf.addN([energy, tf.mul(terms.variance, w.variance), tf.mul(covariance, w.covariance)]) as tf.Scalar
  return { loss, aux: { energy, variance: terms.variance, covariance } }
}

/** I-JEPA + variance/covariance regularizer on the predictor output (default weights 1 and 0.04, VICReg's 25 : 1). */
export const ijepaVc = (config: IjepaConfig, options: IjepaOptions & { readonly weights?: VcWeights }): Family =>
  ijepa(config, {
    ...options,
    name: 'ijepa-vc',
    description: 'I-JEPA + VICReg variance/covariance on the predictions; EMA + predictor + stop-gradient + variance/covariance',
    energy: withVarianceCovariance(energyOf(config.energy), options.weights ?? { variance: 1, covariance: 0.04 }),
  })
