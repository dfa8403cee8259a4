/**
 * A layer is a value: `{ kind, name, infer, init, apply }` — pure functions, no hidden state.
 *
 * Contract:
 * - `infer(inDims, path)` is the shape interpreter: it checks the input, computes the output shape,
 *   the parameter specs (shape + initializer, no tensors) and the FLOPs of one forward pass, and
 *   returns `Left(ShapeError)` naming `path` when the input cannot work. It allocates nothing.
 * - `init(key, inDims)` = `infer` + parameter creation in one pass. Each parameter's key is derived
 *   from the `params` stream of `key` and its full state_dict path, so the same key gives identical
 *   params, and params do not depend on how layers were grouped.
 * - `apply(params, x, ctx)` executes on the active tfjs backend. `params` is the layer's own scope
 *   (for a transparent layer, its parent's). `ctx.key` feeds runtime randomness (dropout) and
 *   combinators split it for their children; `ctx.training` switches dropout on.
 * - `name` is the layer's path segment. A layer with `name === ''` is transparent: its params live in
 *   its parent's scope (this is how `serial` stays associative). `named(n, l)` gives a scope.
 * - Type parameters `In` / `Out` are type-level shapes (`['B', 196, 192]`) checked by combinators;
 *   `P` is the type of the layer's own param tree (what `init` returns and `apply` takes, see
 *   `param-types.ts`) and `N` its name, so combinators compose the param types as they compose the
 *   trees. `named(n, l)` keeps `l`'s params type: `init` of a named layer returns the layer's own
 *   tree (not `{ [n]: … }`); the name only places that tree inside a parent's scope.
 * - `apply` checks, once per (params object, input shape), that the input fits `infer` and that the
 *   params tree has every leaf `infer` expects at the expected shape; a mismatch throws a
 *   `LayerError` naming the path, expected vs got (see `param-check.ts`). Nested applies skip it.
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type Key, fold, stream } from './key.ts'
import { type DimsSig, type Sig, type Shape, type Dims, sizeOf } from './shape.ts'
import { type ShapeError, LayerError } from './errors.ts'
import type { ParamTree } from './tree.ts'
import type { NoParams } from './param-types.ts'
import { checkedApply, checkParamsAt } from './param-check.ts'

/** Fills a parameter of the given shape from a key. */
export type Initializer = (key: Key, shape: Dims) => Float32Array

/** A parameter before it exists: its shape and how to fill it. */
export interface ParamSpec {
  readonly _tag: 'ParamSpec'
  readonly shape: Dims
  readonly init: Initializer
}

/** True for a spec leaf. */
export const isSpec = (x: SpecTree | ParamSpec): x is ParamSpec => (x as ParamSpec)._tag === 'ParamSpec'

/** A tree of parameter specs with the same paths as the ParamTree it becomes. */
export interface SpecTree {
  readonly [segment: string]: SpecTree | ParamSpec
}

/** One row of the model's structure: a named (or transparent) sub-layer and what it costs. */
export interface Report {
  readonly path: string
  readonly kind: string
  readonly inDims: DimsSig
  readonly outDims: DimsSig
  /** Parameters owned by this sub-layer and its children. */
  readonly params: number
  /** Multiply–adds count as 2 FLOPs; one forward pass at the given input shape. */
  readonly flops: number
  readonly children: readonly Report[]
}

/** What the shape interpreter returns. */
export interface Inferred {
  readonly outDims: DimsSig
  readonly params: SpecTree
  readonly flops: number
  /** Reports of direct sub-layers (empty for a leaf). */
  readonly children: readonly Report[]
}

/** Runtime context of `apply`. */
export interface Ctx {
  readonly key: Key
  readonly training: boolean
}

/** A tensor whose type carries its type-level shape (documentation for readers; not enforced by tfjs). */
export type Tensor<S extends Shape = Shape> = tf.Tensor & { readonly __shape?: S }

/** The runtime value flowing through a layer of signature `S`: one tensor or a tuple of tensors. */
export type Value<S extends Sig> = S extends readonly [] ? tf.Tensor : S extends readonly Shape[] ? { readonly [I in keyof S]: tf.Tensor } : tf.Tensor

/** Untyped runtime value used inside combinators. */
export type AnyValue = tf.Tensor | readonly tf.Tensor[]

/**
 * A layer from `In` to `Out` (type-level shapes) whose own params have the type `P` and whose
 * path segment is `N` (`''`: transparent).
 */
export interface Layer<In extends Sig, Out extends Sig, P extends ParamTree = ParamTree, N extends string = string> {
  readonly kind: string
  readonly name: N
  readonly infer: (inDims: DimsSig, path: string) => E.Either<ShapeError, Inferred>
  readonly init: (key: Key, inDims: DimsSig) => E.Either<ShapeError, { readonly outDims: DimsSig; readonly params: P }>
  /** Method syntax on purpose: a `Layer<X, Y, P>` is usable wherever an `AnyLayer` is. */
  apply(params: P, x: Value<In>, ctx: Ctx): Value<Out>
  /** Phantom fields: carry `In`, `Out` and `P` for the type checker; never set at runtime. */
  readonly __in?: In
  readonly __out?: Out
  readonly __params?: P
}

/** Any layer, whatever its shapes and params. */
export type AnyLayer = Layer<Sig, Sig>

/** The params type of a layer: `ParamsOf<typeof fc>` = `{ readonly weight: tf.Tensor; … }`. */
export type ParamsOf<L> = L extends { readonly __params?: infer P } ? (P extends ParamTree ? P : ParamTree) : ParamTree

/** The ingredients of a layer; `makeLayer` derives `init` and the checked `apply`. */
export interface LayerParts<P extends ParamTree = ParamTree, N extends string = string> {
  readonly kind: string
  readonly name: N
  readonly infer: (inDims: DimsSig, path: string) => E.Either<ShapeError, Inferred>
  readonly apply: (params: P, x: AnyValue, ctx: Ctx) => AnyValue
}

/**
 * Builds a layer value from its parts. The only place where the typed and untyped views meet: the
 * stated `P` must be the tree `infer`'s specs describe (the nn type tests check the constructors).
 */
export const makeLayer = <In extends Sig, Out extends Sig, P extends ParamTree = ParamTree, N extends string = string>(parts: LayerParts<P, N>): Layer<In, Out, P, N> => {
  const layer = {
    kind: parts.kind,
    name: parts.name,
    infer: parts.infer,
    apply: (params: P, x: AnyValue, ctx: Ctx): AnyValue => checkedApply(layer, params, x, () => parts.apply(params, x, ctx)),
    init: (key: Key, inDims: DimsSig) =>
      E.map((inf: Inferred) => ({ outDims: inf.outDims, params: materialize(inf.params, stream(key, 'params'), parts.name) }))(
        parts.infer(inDims, parts.name),
      ),
  }
  return layer as unknown as Layer<In, Out, P, N>
}

/** Creates tensors for every spec; each leaf's key is `fold(key, fullPath)`. */
export const materialize = (specs: SpecTree, paramsKey: Key, prefix = ''): ParamTree => {
  const out: Record<string, ParamTree | tf.Tensor> = {}
  for (const [k, v] of Object.entries(specs)) {
    const path = prefix === '' ? k : `${prefix}.${k}`
    out[k] = isSpec(v) ? tf.tensor(v.init(fold(paramsKey, path), v.shape), [...v.shape], 'float32') : materialize(v, paramsKey, path)
  }
  return out
}

/** Number of scalars described by a spec tree. */
export const countSpecs = (specs: SpecTree): number =>
  Object.values(specs).reduce((n, v) => n + (isSpec(v) ? sizeOf(v.shape) : countSpecs(v)), 0)

/** The params of a layer without any (`{}`), typed as `NoParams`. */
export const noParams: NoParams = Object.freeze({})

/** A parameter spec. */
export const param = (shape: Dims, init: Initializer): ParamSpec => ({ _tag: 'ParamSpec', shape, init })

/**
 * `init` that throws a `LayerError` instead of returning Left: for scripts and examples. The params
 * are the layer's own tree, typed `P` — for `named('head', l)` the tree of `l` (`params.weight`),
 * the tree `apply` takes; `params.head` is a type error.
 */
export const initOrThrow = <In extends Sig, Out extends Sig, P extends ParamTree>(
  layer: Layer<In, Out, P, string>,
  key: Key,
  inDims: DimsSig,
): { readonly outDims: DimsSig; readonly params: P } => {
  const r = layer.init(key, inDims)
  if (E.isLeft(r)) throw new LayerError(r.left)
  return r.right
}

/**
 * The checked bridge from an untyped tree (loaded from a file, a branch of a family's state) to the
 * layer's params type: checks the tree against the specs `infer` gives at `inDims` (every leaf
 * present at its shape; see `param-check.ts`) and returns it typed `P`, or throws a `LayerError`
 * naming the first path that differs, expected vs got.
 */
export const checkParams = <In extends Sig, Out extends Sig, P extends ParamTree>(layer: Layer<In, Out, P, string>, tree: ParamTree, inDims: DimsSig): P => {
  checkParamsAt(layer, tree, inDims)
  return tree as P
}

/** `infer` that throws a `LayerError` instead of returning Left. */
export const inferOrThrow = (layer: AnyLayer | Layer<never, Sig>, inDims: DimsSig): Inferred => {
  const r = (layer as AnyLayer).infer(inDims, (layer as AnyLayer).name)
  if (E.isLeft(r)) throw new LayerError(r.left)
  return r.right
}

/** A leaf `Inferred` with no children. */
export const leaf = (outDims: DimsSig, params: SpecTree, flops: number): Inferred => ({ outDims, params, flops, children: [] })
