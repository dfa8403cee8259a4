/**
 * SimCLR (Chen et al. 2020, https://arxiv.org/abs/2002.05709) on the joint-embedding skeleton:
 * two views → encoder → projector → NT-Xent(z1, z2; τ). Anti-collapse: the other images of the
 * batch are negatives. No predictor, no EMA. τ = 0.5 by default (lightly's `NTXentLoss`; solo-learn
 * configs use 0.1–0.2). Config: the shared joint fields plus `temperature`.
 */
import type * as t from 'io-ts'
import { PositiveNumber, decodeOrThrow, exact, withDefaults } from '@jepa-ts/core'
import type { Family } from '@jepa-ts/train'
import { ntXent } from '../energies/nt-xent.ts'
import { jointChecks, jointDefaults, jointFashionBase, jointOptional, jointRequired } from './joint-config.ts'
import { jointFamily } from './joint.ts'

const simclrShape = withDefaults(exact(jointRequired, { ...jointOptional, temperature: PositiveNumber }, 'SimclrConfig'), { ...jointDefaults, temperature: 0.5 }, 'SimclrConfig')
/** The SimCLR config codec. */
export const SimclrConfigCodec = jointChecks(simclrShape)
/** A decoded SimCLR config. */
export type SimclrConfig = t.TypeOf<typeof simclrShape>
/** The JSON form of a SimCLR config. */
export type SimclrConfigInput = t.OutputOf<typeof simclrShape>

/** Fashion-MNIST preset (JSON form; also `examples/configs/simclr-fashion.json`). */
export const simclrFashionInput = { ...jointFashionBase, projector: { hidden: 512, out: 128 }, temperature: 0.5 } as const satisfies SimclrConfigInput
/** Fashion-MNIST preset, decoded. */
export const simclrFashion: SimclrConfig = decodeOrThrow(SimclrConfigCodec, simclrFashionInput)

/** The SimCLR family. */
export const simclr = (config: SimclrConfig, options: { readonly totalSteps: number }): Family =>
  jointFamily(
    config,
    {
      name: 'simclr',
      description: `predicts which view in the batch is the other view of the same image; NT-Xent (τ ${config.temperature}); contrastive negatives`,
      objective: { kind: 'pair', energy: (z1, z2) => ({ loss: ntXent(z1, z2, { temperature: config.temperature }) }) },
    },
    options,
  )
