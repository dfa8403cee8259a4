/**
 * SimSiam (Chen & He 2021, https://arxiv.org/abs/2011.10566) on the joint-embedding skeleton:
 *
 *   p_i = predictor(z_i),  z_i = projector(encoder(v_i))                      differentiated
 *   loss = ½·negativeCosine(p1, sg(z2)) + ½·negativeCosine(p2, sg(z1))
 *
 * where sg(z) is the SAME online network's embedding computed outside the differentiated function
 * with the current params (no EMA: `target = {}`). Anti-collapse: predictor + stop-gradient.
 * Config: the shared joint fields plus `predictor` {hidden} (the paper's bottleneck: hidden < out).
 */
import type * as t from 'io-ts'
import * as tf from '@tensorflow/tfjs'
import { decodeOrThrow, exact, withDefaults } from '@jepa-ts/core'
import type { Family } from '@jepa-ts/train'
import { negativeCosine } from '../energies/cosine.ts'
import { PredictorHeadCodec, jointChecks, jointDefaults, jointFashionBase, jointOptional, jointRequired } from './joint-config.ts'
import { type JointObjective, jointFamily } from './joint.ts'

const simsiamShape = withDefaults(exact({ ...jointRequired, predictor: PredictorHeadCodec }, jointOptional, 'SimsiamConfig'), jointDefaults, 'SimsiamConfig')
/** The SimSiam config codec. */
export const SimsiamConfigCodec = jointChecks(simsiamShape)
/** A decoded SimSiam config. */
export type SimsiamConfig = t.TypeOf<typeof simsiamShape>
/** The JSON form of a SimSiam config. */
export type SimsiamConfigInput = t.OutputOf<typeof simsiamShape>

/** Fashion-MNIST preset (JSON form; also `examples/configs/simsiam-fashion.json`). */
export const simsiamFashionInput = { ...jointFashionBase, projector: { hidden: 512, out: 512 }, predictor: { hidden: 128 } } as const satisfies SimsiamConfigInput
/** Fashion-MNIST preset, decoded. */
export const simsiamFashion: SimsiamConfig = decodeOrThrow(SimsiamConfigCodec, simsiamFashionInput)

/** SimSiam's objective: symmetrized negative cosine against the online network's own, constant, embeddings. */
export const simsiamObjective: JointObjective = {
  kind: 'predictor',
  target: 'online',
  energy: ([p1, p2], [t1, t2]) => ({ loss: tf.tidy(() => tf.mul(tf.add(negativeCosine(p1, t2), negativeCosine(p2, t1)), 0.5) as tf.Scalar) }),
}

/** The SimSiam family. */
export const simsiam = (config: SimsiamConfig, options: { readonly totalSteps: number }): Family =>
  jointFamily(
    config,
    { name: 'simsiam', description: "predicts the other view's embedding through a predictor; negative cosine, symmetrized; predictor + stop-gradient", objective: simsiamObjective },
    options,
  )
