/**
 * Apply-time checks (param-check.ts): a wrong param tree, a wrong leaf shape or an input the params
 * were not made for fail at `apply` naming the layer path, expected vs got — before tfjs runs; the
 * check runs once per (params object, layer, input shape) and only at the outermost apply.
 * `named` keeps the layer's own tree; the tree helpers name the path when given a non-tree.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type AnyLayer, type ParamTree, LayerError, checkParams, flatten, initOrThrow, keyOf, makeLayer, mapTree, named, serial, serialDynamic, zipTree } from '@jepa-ts/core'
import { dense } from './helpers.ts'

const ctx = { key: keyOf(1), training: false }
const mlp = (): AnyLayer => serialDynamic([named('fc1', dense(4, 8)) as AnyLayer, named('fc2', dense(8, 2)) as AnyLayer])

const throwsLayerError = (f: () => unknown, message: RegExp): void =>
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof LayerError, `a LayerError, got ${String(e)}`)
    assert.match(e.message, message)
    return true
  })

test('a tree of the wrong structure fails at apply naming the missing path and the keys found', () => {
  const l = mlp()
  const { params } = initOrThrow(l, keyOf(0), [3, 4])
  const x = tf.ones([3, 4])
  throwsLayerError(() => l.apply({ fc1: params.fc1! }, x, ctx), /^at fc2: expected a subtree with keys \{weight, bias\}, got nothing \(the tree here has keys \{fc1\}\)$/)
  throwsLayerError(() => l.apply({ fc1: params.fc1!, fc2: { weight: (params.fc2 as ParamTree).weight! } }, x, ctx), /^at fc2\.bias: expected a parameter \[2\], got nothing/)
  throwsLayerError(() => l.apply({ fc1: params.fc1!, fc2: tf.zeros([8, 2]) }, x, ctx), /^at fc2: expected a subtree with keys \{weight, bias\}, got a tensor \[8, 2\]/)
  throwsLayerError(() => l.apply(undefined as unknown as ParamTree, x, ctx), /^at <root>: expected a param tree with keys \{fc1, fc2\}, got nothing/)
})

test('a leaf of the wrong shape, a non-tensor leaf and a disposed leaf fail naming the leaf, expected vs got', () => {
  const l = mlp()
  const { params } = initOrThrow(l, keyOf(0), [3, 4])
  const fc1 = params.fc1 as ParamTree
  const x = tf.ones([3, 4])
  throwsLayerError(() => l.apply({ ...params, fc1: { ...fc1, weight: tf.zeros([8, 4]) } }, x, ctx), /^at fc1\.weight: expected a parameter \[4, 8\], got \[8, 4\]/)
  throwsLayerError(() => l.apply({ ...params, fc1: { ...fc1, bias: [0, 0] as unknown as tf.Tensor } }, x, ctx), /^at fc1\.bias: expected a parameter \[8\], got an array/)
  const gone = tf.zeros([8])
  gone.dispose()
  throwsLayerError(() => l.apply({ ...params, fc1: { ...fc1, bias: gone } }, x, ctx), /^at fc1\.bias: expected a parameter \[8\], got a disposed tensor/)
})

test('an input the params were not made for fails at apply naming the layer, expected vs got', () => {
  const l = named('head', dense(4, 2))
  const { params } = initOrThrow(l, keyOf(0), [3, 4])
  throwsLayerError(() => l.apply(params, tf.ones([3, 5]), ctx), /^at head: expected last dim 4, got \[3, 5\]$/)
  throwsLayerError(() => l.apply(params, [tf.ones([3, 4])] as unknown as tf.Tensor, ctx), /^at head: expected last dim 4, got \(\[3, 4\]\)$/)
  throwsLayerError(() => l.apply(params, 'x' as unknown as tf.Tensor, ctx), /^at head: expected a tensor or a tuple of tensors as input, got a string$/)
})

test('named keeps the layer\'s own tree; the parent-scoped tree is refused with a hint, and tree helpers name the path', () => {
  const head = named('head', dense(4, 2))
  const { params } = initOrThrow(head, keyOf(0), [3, 4])
  assert.deepEqual(flatten(params).map(([p]) => p), ['weight', 'bias'], 'init of a named layer returns the layer\'s own tree')
  assert.equal(tf.tidy(() => (head.apply(params, tf.ones([3, 4]), ctx) as tf.Tensor).shape.join()), '3,2')
  throwsLayerError(() => head.apply({ head: params }, tf.ones([3, 4]), ctx), /^at head\.weight: expected a parameter \[4, 2\], got nothing \(the tree is wrapped in "head": a layer's apply takes its own params/)
  const wrong = (params as unknown as { readonly head: ParamTree }).head
  assert.throws(() => mapTree(wrong, (t) => t), /^TypeError: mapTree: expected a param tree at <root>, got undefined$/)
  assert.throws(() => flatten({ a: undefined as unknown as ParamTree }), /flatten: expected a param tree at a, got undefined/)
  assert.throws(() => zipTree(params, wrong, (a) => a), /zipTree: expected a param tree at <root>, got undefined/)
  // Inside a parent the same layer's params sit under its name.
  const { params: parent } = initOrThrow(serial(head), keyOf(0), [3, 4])
  assert.deepEqual(flatten(parent).map(([p]) => p), ['head.weight', 'head.bias'])
})

test('keys a layer does not read are allowed (a transparent layer shares its scope with siblings)', () => {
  const l = mlp()
  const { params } = initOrThrow(l, keyOf(0), [3, 4])
  const y = tf.tidy(() => (l.apply({ ...params, other: { weight: tf.zeros([1]) } }, tf.ones([3, 4]), ctx) as tf.Tensor).shape.join())
  assert.equal(y, '3,2')
})

test('the check runs once per (params object, layer, input shape), and only at the outermost apply', () => {
  let infers = 0
  const inner = dense(4, 4, 'fc')
  const counting = makeLayer({
    kind: 'counting',
    name: 'fc',
    infer: (d, p) => {
      infers++
      return inner.infer(d, p)
    },
    apply: (p, x, c) => inner.apply(p, x as tf.Tensor, c),
  })
  const { params } = initOrThrow(counting, keyOf(0), [2, 4])
  infers = 0
  const run = (l: AnyLayer, p: ParamTree, x: tf.Tensor): void => tf.dispose(l.apply(p, x, ctx) as tf.Tensor)
  run(counting, params, tf.ones([2, 4]))
  run(counting, params, tf.ones([2, 4]))
  assert.equal(infers, 1, 'the same tree at the same shape is checked once')
  run(counting, params, tf.ones([5, 4]))
  assert.equal(infers, 2, 'a new input shape is checked')
  run(counting, { ...params }, tf.ones([5, 4]))
  assert.equal(infers, 3, 'a new tree is checked')
  const outer = serialDynamic([counting as AnyLayer, named('out', dense(4, 2)) as AnyLayer])
  const { params: p2 } = initOrThrow(outer, keyOf(0), [2, 4])
  infers = 0
  run(outer, p2, tf.ones([2, 4]))
  assert.equal(infers, 1, 'the children run inside the checked call: only the outer infer visits them')
})

test('checkParams turns an untyped tree into the layer\'s typed params, or throws naming the path', () => {
  const l = named('head', dense(4, 2))
  const { params } = initOrThrow(l, keyOf(0), [3, 4])
  const untyped: ParamTree = { ...params }
  assert.equal(checkParams(l, untyped, [3, 4]), untyped)
  throwsLayerError(() => checkParams(l, { weight: tf.zeros([2, 4]), bias: tf.zeros([2]) }, [3, 4]), /^at head\.weight: expected a parameter \[4, 2\], got \[2, 4\]/)
  throwsLayerError(() => checkParams(l, untyped, [3, 3]), /^at head: expected last dim 4, got \[3, 3\]/)
  assert.ok(E.isRight(l.init(keyOf(0), [3, 4])))
})
