/**
 * Test-only layers for core's laws (core's tests must not depend on @jepa-ts/nn):
 * `dense(i, o)` is x·W + b over the last dim, `jitter()` adds key-driven noise in training mode so
 * tests can see how runtime keys are split.
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type Dim, type Layer, type Dims, type ParamTree, makeLayer, param, leaf, shapeError, normal, uniform, toSeed, flatten } from '@jepa-ts/core'

export const dense = <I extends number, O extends number>(i: I, o: O, name = 'dense'): Layer<readonly [...Dim[], I], readonly [...Dim[], O]> =>
  makeLayer({
    kind: 'dense',
    name,
    infer: (inDims, path) => {
      const d = inDims as Dims
      if (d.length < 1 || d[d.length - 1] !== i) return E.left(shapeError(path, `last dim ${i}`, inDims))
      const rows = d.slice(0, -1).reduce((a, b) => a * b, 1)
      return E.right(leaf([...d.slice(0, -1), o], { weight: param([i, o], (k, s) => normal(k, s[0]! * s[1]!).map((x) => x / Math.sqrt(i))), bias: param([o], (k, s) => uniform(k, s[0]!)) }, 2 * rows * i * o))
    },
    apply: (p, x) => {
      const xt = x as tf.Tensor
      const flat = xt.reshape([-1, i])
      return tf.add(tf.matMul(flat, p.weight as tf.Tensor), p.bias as tf.Tensor).reshape([...xt.shape.slice(0, -1), o])
    },
  })

export const jitter = (name = 'jitter'): Layer<readonly Dim[], readonly Dim[]> =>
  makeLayer({
    kind: 'jitter',
    name,
    infer: (inDims) => E.right(leaf(inDims, {}, 0)),
    apply: (_p, x, ctx) => (ctx.training ? tf.add(x as tf.Tensor, tf.randomUniform((x as tf.Tensor).shape, 0, 1, 'float32', toSeed(ctx.key))) : x),
  })

/** Host copies of every leaf, keyed by path. */
export const snapshot = (tree: ParamTree): Record<string, number[]> =>
  Object.fromEntries(flatten(tree).map(([p, t]) => [p, Array.from(t.dataSync())]))
