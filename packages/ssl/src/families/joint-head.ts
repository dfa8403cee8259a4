/**
 * The projector / predictor heads of the joint-embedding families: Linear(in → hidden) → GELU →
 * Linear(hidden → out), on `[B, in] → [B, out]`, params `fc1.{weight,bias}`, `fc2.{weight,bias}`
 * (PyTorch layout, weight [out, in]).
 *
 * Init: PyTorch's `nn.Linear` default, weight and bias ~ U(−1/√in, 1/√in) (kaiming_uniform with
 * a = √5), which the reference heads (SimCLR, BYOL, SimSiam, VICReg) keep. The ViT's trunc_normal(0.02)
 * would make the embeddings ~100× smaller than the features: the cosine energies (BYOL, SimSiam,
 * NT-Xent) then divide by tiny norms and the first steps' gradient norms reach 10⁴–10⁵.
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type AnyLayer, type Dims, type Initializer, leaf, makeLayer, param, serial, shapeError, sizeOf, uniform } from '@jepa-ts/core'
import { gelu } from '@jepa-ts/nn'

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

/** fc1 → GELU (erf) → fc2: `[B, in] → [B, out]`. */
export const head = (inDim: number, hidden: number, out: number): AnyLayer => serial(torchLinear(inDim, hidden, 'fc1'), gelu() as AnyLayer, torchLinear(hidden, out, 'fc2'))
