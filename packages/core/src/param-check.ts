/**
 * Apply-time checks: before a layer runs, its params and its input are checked against what its
 * shape interpreter expects, so a wrong tree or a wrong input shape fails naming the layer path and
 * what was expected vs got — not deep inside tfjs ("Size(16) must match…").
 *
 * Contract:
 * - `checkApply(layer, params, x)` runs `layer.infer` at the input's shape (a Left is thrown as a
 *   `LayerError`: the input does not fit the layer, whatever the params) and then walks the expected
 *   parameter specs: every expected leaf must be present, a live `tf.Tensor` of the spec's shape, and
 *   every expected subtree a record. Keys the layer does not read are allowed: a transparent layer
 *   shares its scope with its siblings (`vit`'s `embed` and `trunk` read one tree).
 * - Cheap: shapes and keys only, no tensor data is read and nothing is allocated on the backend.
 *   A (params object, layer, input shape) triple that passed is remembered in a WeakMap, so a
 *   tree that is applied many times (evaluation) is walked once; a new tree (each training step)
 *   is walked once per layer and shape.
 * - Only the outermost `apply` checks: a layer's children run inside its checked call (their params
 *   are sub-trees of the checked tree), so nested calls skip the walk (`withinCheckedApply`).
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type DimsSig, type Dims, formatDims } from './shape.ts'
import { LayerError, joinPath, shapeError } from './errors.ts'
import type { ParamSpec, SpecTree, Inferred } from './layer.ts'
import type { ShapeError } from './errors.ts'

interface Checkable {
  readonly name: string
  readonly infer: (inDims: DimsSig, path: string) => E.Either<ShapeError, Inferred>
}

const isSpecLeaf = (x: SpecTree | ParamSpec): x is ParamSpec => (x as ParamSpec)._tag === 'ParamSpec'

const describe = (v: unknown): string =>
  v === undefined ? 'nothing' : v === null ? 'null' : v instanceof tf.Tensor ? `a tensor ${formatDims(v.shape)}` : Array.isArray(v) ? 'an array' : typeof v === 'object' ? `a subtree with keys {${Object.keys(v).join(', ')}}` : `a ${typeof v}`

/** The input signature of a runtime value (one tensor or a tuple of tensors); a string if it is neither. */
export const dimsOfValue = (x: unknown): DimsSig | string => {
  if (x instanceof tf.Tensor) return x.shape
  if (Array.isArray(x) && x.length > 0 && x.every((t) => t instanceof tf.Tensor)) return x.map((t: tf.Tensor) => t.shape as Dims)
  return describe(x)
}

/** The first mismatch between a spec tree and a param tree, or undefined if the tree fits. */
export const findParamMismatch = (specs: SpecTree, params: unknown, path: string): ShapeError | undefined => {
  if (params === null || typeof params !== 'object' || params instanceof tf.Tensor || Array.isArray(params)) {
    return shapeError(path, `a param tree with keys {${Object.keys(specs).join(', ')}}`, describe(params))
  }
  const tree = params as Record<string, unknown>
  for (const [k, spec] of Object.entries(specs)) {
    const at = joinPath(path, k)
    const v = tree[k]
    if (isSpecLeaf(spec)) {
      if (!(v instanceof tf.Tensor)) return shapeError(at, `a parameter ${formatDims(spec.shape)}`, describe(v), hintFor(tree, k))
      if (v.isDisposed) return shapeError(at, `a parameter ${formatDims(spec.shape)}`, 'a disposed tensor')
      if (formatDims(v.shape) !== formatDims(spec.shape)) return shapeError(at, `a parameter ${formatDims(spec.shape)}`, formatDims(v.shape), 'params made for another layer or width?')
    } else {
      if (v === undefined || v instanceof tf.Tensor || v === null || typeof v !== 'object') {
        return shapeError(at, `a subtree with keys {${Object.keys(spec).join(', ')}}`, describe(v), hintFor(tree, k))
      }
      const inner = findParamMismatch(spec, v, at)
      if (inner !== undefined) return inner
    }
  }
  return undefined
}

/** A hint when the key is missing: the keys the tree has, and the `named` scope mistake. */
const hintFor = (tree: Record<string, unknown>, missing: string): string | undefined => {
  const keys = Object.keys(tree)
  if (missing in tree) return undefined
  const only = keys.length === 1 ? tree[keys[0]!] : undefined
  const wrapped = only !== undefined && only !== null && typeof only === 'object' && !(only instanceof tf.Tensor) && missing in (only as object)
  return wrapped
    ? `the tree is wrapped in "${keys[0]}": a layer's apply takes its own params, the tree its init returned, not its parent's`
    : `the tree here has keys {${keys.join(', ')}}`
}

const passed = new WeakMap<object, WeakMap<object, Set<string>>>()
let depth = 0

/**
 * Throws a `LayerError` naming the path if the input signature `dims` does not fit `layer`, or
 * `params` lacks a leaf (or has one of another shape) that `layer` expects at `dims`. Remembers a
 * pass per (params object, layer, dims).
 */
export const checkParamsAt = (layer: Checkable, params: unknown, dims: DimsSig): void => {
  const shapeKey = formatDims(dims)
  const byLayer = params !== null && typeof params === 'object' ? passed.get(params) : undefined
  if (byLayer?.get(layer)?.has(shapeKey) === true) return
  const inferred = layer.infer(dims, layer.name)
  if (E.isLeft(inferred)) throw new LayerError(inferred.left)
  const bad = findParamMismatch(inferred.right.params, params, layer.name)
  if (bad !== undefined) throw new LayerError(bad)
  const table = byLayer ?? new WeakMap<object, Set<string>>()
  if (byLayer === undefined) passed.set(params as object, table)
  const shapes = table.get(layer) ?? new Set<string>()
  shapes.add(shapeKey)
  table.set(layer, shapes)
}

/** Throws a `LayerError` naming the path if `params` or the input `x` does not fit `layer`. */
export const checkApply = (layer: Checkable, params: unknown, x: unknown): void => {
  const dims = dimsOfValue(x)
  if (typeof dims === 'string') throw new LayerError(shapeError(layer.name, 'a tensor or a tuple of tensors as input', dims))
  checkParamsAt(layer, params, dims)
}

/** Runs `run` as an outermost checked apply, or directly when already inside one. */
export const checkedApply = <R>(layer: Checkable, params: unknown, x: unknown, run: () => R): R => {
  if (depth > 0) return run()
  checkApply(layer, params, x)
  depth++
  try {
    return run()
  } finally {
    depth--
  }
}
