/**
 * VICReg (Bardes et al. 2022, https://arxiv.org/abs/2105.04906) on the joint-embedding skeleton:
 * two views → encoder → projector → sim·MSE(z1, z2) + std·variance + cov·covariance (25 / 25 / 1),
 * logging the three terms. Anti-collapse: the variance hinge and the covariance penalty. No predictor,
 * no EMA. Config: the shared joint fields plus `coefficients` {sim, std, cov}.
 */
import type * as t from 'io-ts'
import { PositiveNumber, decodeOrThrow, exact, withDefaults } from '@jepa-ts/core'
import type { Family } from '@jepa-ts/train'
import { vicreg as vicregEnergy } from '../energies/vicreg.ts'
import { jointChecks, jointDefaults, jointFashionBase, jointOptional, jointRequired } from './joint-config.ts'
import { jointFamily } from './joint.ts'

const CoefficientsCodec = withDefaults(exact({}, { sim: PositiveNumber, std: PositiveNumber, cov: PositiveNumber }, 'VicregCoefficients'), { sim: 25, std: 25, cov: 1 }, 'VicregCoefficients')
const vicregShape = withDefaults(exact(jointRequired, { ...jointOptional, coefficients: CoefficientsCodec }, 'VicregConfig'), { ...jointDefaults, coefficients: {} }, 'VicregConfig')
/** The VICReg config codec. */
export const VicregConfigCodec = jointChecks(vicregShape)
/** A decoded VICReg config. */
export type VicregConfig = t.TypeOf<typeof vicregShape>
/** The JSON form of a VICReg config. */
export type VicregConfigInput = t.OutputOf<typeof vicregShape>

/** Fashion-MNIST preset (JSON form; also `examples/configs/vicreg-fashion.json`). */
export const vicregFashionInput = { ...jointFashionBase, projector: { hidden: 512, out: 512 }, coefficients: { sim: 25, std: 25, cov: 1 } } as const satisfies VicregConfigInput
/** Fashion-MNIST preset, decoded. */
export const vicregFashion: VicregConfig = decodeOrThrow(VicregConfigCodec, vicregFashionInput)

/** The VICReg family. */
export const vicregFamily = (config: VicregConfig, options: { readonly totalSteps: number }): Family => {
  const { sim, std, cov } = config.coefficients
  return jointFamily(
    config,
    {
      name: 'vicreg',
      description: `predicts the other view's embedding; invariance MSE (${sim}) + variance (${std}) + covariance (${cov}); variance/covariance regularizers`,
      objective: {
        kind: 'pair',
        energy: (z1, z2) => {
          const { loss, invariance, variance, covariance } = vicregEnergy(z1, z2, { simCoeff: sim, stdCoeff: std, covCoeff: cov })
          return { loss, aux: { invariance, variance, covariance } }
        },
      },
    },
    options,
  )
}
