/**
 * Barlow Twins (Zbontar et al. 2021, https://arxiv.org/abs/2103.03230) on the joint-embedding
 * skeleton: two views → encoder → projector → Σ_i (C_ii − 1)² + λ·Σ_{i≠j} C_ij², C the
 * cross-correlation of the batch-standardized embeddings, λ = 5e-3. Anti-collapse: redundancy
 * reduction (the identity target for C). No predictor, no EMA. Config: the shared joint fields plus `lambda`.
 */
import type * as t from 'io-ts'
import { PositiveNumber, decodeOrThrow, exact, withDefaults } from '@jepa-ts/core'
import type { Family } from '@jepa-ts/train'
import { barlowTwins } from '../energies/barlow-twins.ts'
import { jointChecks, jointDefaults, jointFashionBase, jointOptional, jointRequired } from './joint-config.ts'
import { jointFamily } from './joint.ts'

const barlowShape = withDefaults(exact(jointRequired, { ...jointOptional, lambda: PositiveNumber }, 'BarlowConfig'), { ...jointDefaults, lambda: 5e-3 }, 'BarlowConfig')
/** The Barlow Twins config codec. */
export const BarlowConfigCodec = jointChecks(barlowShape)
/** A decoded Barlow Twins config. */
export type BarlowConfig = t.TypeOf<typeof barlowShape>
/** The JSON form of a Barlow Twins config. */
export type BarlowConfigInput = t.OutputOf<typeof barlowShape>

/** Fashion-MNIST preset (JSON form; also `examples/configs/barlow-fashion.json`). */
export const barlowFashionInput = { ...jointFashionBase, projector: { hidden: 512, out: 512 }, lambda: 5e-3 } as const satisfies BarlowConfigInput
/** Fashion-MNIST preset, decoded. */
export const barlowFashion: BarlowConfig = decodeOrThrow(BarlowConfigCodec, barlowFashionInput)

/** The Barlow Twins family. */
export const barlowFamily = (config: BarlowConfig, options: { readonly totalSteps: number }): Family =>
  jointFamily(
    config,
    {
      name: 'barlow',
      description: `predicts the other view's embedding; cross-correlation to identity (λ ${config.lambda}); redundancy reduction`,
      objective: { kind: 'pair', energy: (z1, z2) => ({ loss: barlowTwins(z1, z2, { lambda: config.lambda }) }) },
    },
    options,
  )
