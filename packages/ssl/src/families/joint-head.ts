/**
 * The projector / predictor heads of the joint-embedding families: Linear(in → hidden) → BatchNorm →
 * ReLU → Linear(hidden → out), on `[B, in] → [B, out]` (the references' two-layer heads), params
 * `fc1.{weight,bias}`, `bn1.{weight,bias}`, `fc2.{weight,bias}` (PyTorch layout, weight [out, in]).
 * BatchNorm is training-mode only (see `batchNorm1d`); why the heads need it: `joint.ts`.
 *
 * Init: PyTorch's `nn.Linear` default, weight and bias ~ U(−1/√in, 1/√in) (kaiming_uniform with
 * a = √5), which the reference heads (SimCLR, BYOL, SimSiam, VICReg) keep. The ViT's trunc_normal(0.02)
 * would make the embeddings ~100× smaller than the features: the cosine energies (BYOL, SimSiam,
 * NT-Xent) then divide by tiny norms and the first steps' gradient norms reach 10⁴–10⁵.
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type AnyLayer, type Dims, type Initializer, leaf, makeLayer, param, serial, shapeError, sizeOf, uniform } from '@jepa-ts/core'
import { ones, zeros } from '@jepa-ts/nn'

/** U(−bound, bound) from the leaf's key. */
const uniformInit = (bound: number): Initializer => (key, shape) => uniform(key, sizeOf(shape)).map((u) => (2 * u - 1) * bound)

/** A linear layer on `[B, in]` with PyTorch's default init. */
export const torchLinear = (inDim: number, outDim: number, name: string): AnyLayer =>
  makeLayer({
    kind: 'linear',
    name,
    infer: (inDims, path) => {
      const d = inDims as Dims
      if (!Array.isArray(d) || d.length !== 2 || d[1] !== inDim) return E.left(shapeError(path, `[B, ${inDim}] (head linear)`, inDims))
      const bound = 1 / Math.sqrt(inDim)
      return E.right(leaf([d[0]!, outDim], { weight: param([outDim, inDim], uniformInit(bound)), bias: param([outDim], uniformInit(bound)) }, (d[0] as number) * (2 * inDim * outDim + outDim)))
    },
    // An explicit transpose keeps the matmul free of transpose flags (the fast path on wasm).
    apply: (params, x) => tf.tidy(() => tf.add(tf.matMul(x as tf.Tensor, tf.transpose(params['weight'] as tf.Tensor)), params['bias'] as tf.Tensor)),
  })

/**
 * Batch normalization over the batch axis of `[B, dim]`, in training mode only: y = γ·(x − mean_B)/√(var_B + 1e-5) + β
 * with the biased batch variance (PyTorch `BatchNorm1d` in `train()`), params `weight` = 1, `bias` = 0.
 * No running statistics: the heads are never used for evaluation (features come from the encoder),
 * so BN stays a pure function of the batch and the param tree.
 */
export const batchNorm1d = (dim: number, name: string): AnyLayer =>
  makeLayer({
    kind: 'batchNorm1d',
    name,
    infer: (inDims, path) => {
      const d = inDims as Dims
      if (!Array.isArray(d) || d.length !== 2 || d[1] !== dim) return E.left(shapeError(path, `[B, ${dim}] (batchNorm1d)`, inDims))
      return E.right(leaf(d, { weight: param([dim], ones), bias: param([dim], zeros) }, 6 * (d[0] as number) * dim))
    },
    apply: (params, x) =>
      tf.tidy(() => {
        const { mean, variance } = tf.moments(x as tf.Tensor, 0, true)
        return tf.add(tf.mul(tf.div(tf.sub(x as tf.Tensor, mean), tf.sqrt(tf.add(variance, 1e-5))), params['weight'] as tf.Tensor), params['bias'] as tf.Tensor)
      }),
  })

/** fc1 → BN → ReLU → fc2: `[B, in] → [B, out]` (the references' two-layer projector / predictor). */
export const head = (inDim: number, hidden: number, out: number): AnyLayer =>
  serial(torchLinear(inDim, hidden, 'fc1'), batchNorm1d(hidden, 'bn1'), makeLayer({ kind: 'relu', name: '', infer: (d) => E.right(leaf(d, {}, 0)), apply: (_p, x) => tf.relu(x as tf.Tensor) }), torchLinear(hidden, out, 'fc2'))
