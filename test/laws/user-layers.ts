/**
 * Small user-style layers for the law tests (not a test file): each correct layer is written the way
 * a user would write one with `makeLayer`, and each planted bug is a one-line slip a user could make.
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type AnyLayer, type Dims, type ParamTree, type SpecTree, leaf, makeLayer, param, shapeError, sizeOf, toSeed } from '@jepa-ts/core'
import { ones, truncNormal } from '@jepa-ts/nn'

const lastDim = (kind: string, dim: number) => (inDims: readonly unknown[] | Dims, path: string) => {
  const d = inDims as Dims
  return d.length === 3 && d[2] === dim ? E.right(d) : E.left(shapeError(path, `[B, N, ${dim}] (${kind})`, inDims as Dims))
}

/** How the token norm goes wrong. */
export type NormBug = 'none' | 'batch-statistics' | 'no-eps' | 'leaks-a-scalar' | 'batch-sized-param' | 'dotted-param-name' | 'extra-init-param'

/** RMS norm over each token's features with a learnable gain: y = x / √(mean(x²) + eps) · gain. */
export const tokenRmsNorm = (dim: number, bug: NormBug = 'none'): AnyLayer => {
  const check = lastDim('tokenRmsNorm', dim)
  const base = makeLayer({
    kind: 'tokenRmsNorm',
    name: 'rms',
    infer: (inDims, path) =>
      E.map((d: Dims) => {
        const gain = param([dim], ones)
        const params: SpecTree =
          bug === 'batch-sized-param' ? { gain: param([d[0]!, 1, dim], ones) } : bug === 'dotted-param-name' ? { 'gain.weight': gain } : { gain }
        return leaf(d, params, 4 * sizeOf(d))
      })(check(inDims, path)),
    apply: (params, x) => {
      const xt = x as tf.Tensor
      const gain = (params.gain ?? params['gain.weight']) as tf.Tensor
      const stray = bug === 'leaks-a-scalar' ? tf.scalar(1) : undefined // created outside the tidy, never disposed
      return tf.tidy(() => {
        const axis = bug === 'batch-statistics' ? 0 : -1
        const ms = tf.mean(tf.square(xt), axis, true)
        const y = tf.div(xt, tf.sqrt(bug === 'no-eps' ? ms : tf.add(ms, 1e-6)))
        return tf.mul(stray === undefined ? y : tf.mul(y, stray), gain)
      })
    },
  }) as unknown as AnyLayer
  if (bug !== 'extra-init-param') return base
  // A hand-written init that creates one param `infer` never declared.
  return {
    ...base,
    init: (key, inDims) => E.map((r: { readonly outDims: Dims; readonly params: ParamTree }) => ({ ...r, params: { ...r.params, scale: tf.ones([1]) } }))(base.init(key, inDims) as E.Either<never, { readonly outDims: Dims; readonly params: ParamTree }>),
  } as AnyLayer
}

/** Multi-head self-attention written by hand (no projection); `dropsAHead` forgets the last head. */
export const handAttention = (dim: number, heads: number, dropsAHead = false): AnyLayer => {
  const hd = dim / heads
  const check = lastDim('handAttention', dim)
  return makeLayer({
    kind: 'handAttention',
    name: 'attn',
    infer: (inDims, path) => E.map((d: Dims) => leaf(d, { qkv: param([3 * dim, dim], truncNormal(0.5)) }, 6 * sizeOf(d) * dim))(check(inDims, path)),
    apply: (params, x) =>
      tf.tidy(() => {
        const xt = x as tf.Tensor3D
        const [B, N] = [xt.shape[0], xt.shape[1]]
        const qkv = tf.reshape(tf.matMul(tf.reshape(xt, [B * N, dim]), params.qkv as tf.Tensor2D, false, true), [B, N, 3, heads, hd])
        const outs: tf.Tensor[] = []
        const used = dropsAHead ? heads - 1 : heads
        for (let h = 0; h < used; h++) {
          const part = (i: number) => tf.reshape(tf.slice(qkv, [0, 0, i, h, 0], [B, N, 1, 1, hd]), [B, N, hd])
          const w = tf.softmax(tf.mul(tf.matMul(part(0), part(1), false, true), hd ** -0.5), -1)
          outs.push(tf.matMul(w, part(2)))
        }
        return tf.concat(outs, -1)
      }),
  }) as unknown as AnyLayer
}

/** How the dropout goes wrong. */
export type DropoutBug = 'none' | 'unseeded' | 'ignores-training'

/** Inverted dropout at 0.5 seeded from the runtime key; identity in evaluation. */
export const userDropout = (bug: DropoutBug = 'none'): AnyLayer =>
  makeLayer({
    kind: 'userDropout',
    name: 'drop',
    infer: (inDims) => E.right(leaf(inDims as Dims, {}, sizeOf(inDims as Dims))),
    apply: (_p, x, ctx) => {
      const xt = x as tf.Tensor
      if (!ctx.training && bug !== 'ignores-training') return xt
      return tf.tidy(() => {
        const u = bug === 'unseeded' ? tf.randomUniform(xt.shape) : tf.randomUniform(xt.shape, 0, 1, 'float32', toSeed(ctx.key))
        return tf.mul(xt, tf.mul(tf.cast(tf.greaterEqual(u, 0.5), 'float32'), 2))
      })
    },
  }) as unknown as AnyLayer

/**
 * A token mixer that claims to be token-wise but accumulates over the tokens (a running sum, as a
 * product with a lower-triangular matrix: tfjs's own Cumsum gradient is wrong for a non-last axis —
 * the `finite` law reports it as a thrown shape error).
 */
export const runningSum = (): AnyLayer =>
  makeLayer({
    kind: 'runningSum',
    name: 'mix',
    infer: (inDims) => E.right(leaf(inDims as Dims, {}, sizeOf(inDims as Dims))),
    apply: (_p, x) =>
      tf.tidy(() => {
        const xt = x as tf.Tensor3D
        const [B, N] = [xt.shape[0], xt.shape[1]]
        const lower = tf.linalg.bandPart(tf.ones([N, N]), -1, 0)
        return tf.matMul(tf.broadcastTo(lower, [B, N, N]) as tf.Tensor3D, xt)
      }),
  }) as unknown as AnyLayer

/** |x| written as √(x²): finite values, but a NaN gradient at 0. */
export const sqrtAbs = (): AnyLayer =>
  makeLayer({
    kind: 'sqrtAbs',
    name: 'abs',
    infer: (inDims) => E.right(leaf(inDims as Dims, {}, 2 * sizeOf(inDims as Dims))),
    apply: (_p, x) => tf.tidy(() => tf.sqrt(tf.square(x as tf.Tensor))),
  }) as unknown as AnyLayer
