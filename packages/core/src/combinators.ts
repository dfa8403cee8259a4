/**
 * Combinators: layers built from layers. They own key splitting and parameter scoping, so no user
 * ever hands a key to a sub-layer.
 *
 * Scoping: a child with a non-empty `name` gets its own sub-tree `params[name]` and its own path
 * segment; a transparent child (`name === ''`, e.g. a nested `serial`) shares its parent's scope.
 * Two children that would own the same parameter path are an init error naming the path.
 * Keys: parameter keys come from paths (see `layer.ts`); runtime keys (`ctx.key`) are folded with
 * the child's position, so two dropout layers never share a mask.
 *
 * Laws (tested): `serial(serial(a, b), c)` ≡ `serial(a, serial(b, c))` (same params for the same key,
 * same outputs); `serial(identity(), a)` ≡ `a` ≡ `serial(a, identity())`;
 * `residual(f)` ≡ `serial(fanOut(identity(), f), add())`.
 * Param types compose the same way (`param-types.ts`): `serial(named('fc1', a), named('fc2', b))`
 * has params `{ fc1: ParamsOf<a>; fc2: ParamsOf<b> }`, a transparent child's params are merged
 * into the scope, `repeat` gives `{ [i: `${number}`]: P }`.
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { fold } from './key.ts'
import { type DimsSig, type Dims, type Sig, type Shape, isMulti, dimsEqual, formatDims, sizeOf } from './shape.ts'
import { type ShapeError, shapeError, joinPath } from './errors.ts'
import { type ParamTree, subtreeOrEmpty } from './tree.ts'
import {
  type AnyLayer,
  type AnyValue,
  type Ctx,
  type Inferred,
  type Layer,
  type ParamSpec,
  type Report,
  type SpecTree,
  countSpecs,
  makeLayer,
} from './layer.ts'
import type { Fits } from './compose-types.ts'
import type { Contribution, NoParams, Repeated, ScopeOf } from './param-types.ts'

/** The params a child sees: its own sub-tree, or the parent's scope if it is transparent. */
export const scopeOf = (params: ParamTree, child: { readonly name: string }): ParamTree => {
  return child.name === '' ? params : subtreeOrEmpty(params, child.name)
}

/** A child's row in the report: named children get a row; transparent ones splice theirs. */
const reportsOf = (child: AnyLayer, path: string, inDims: DimsSig, inf: Inferred): readonly Report[] =>
  child.name === ''
    ? inf.children
    : [{ path, kind: child.kind, inDims, outDims: inf.outDims, params: countSpecs(inf.params), flops: inf.flops, children: inf.children }]

/** Accumulates children's specs into one scope; Left on a parameter path owned twice. */
class ScopeBuilder {
  readonly specs: Record<string, SpecTree | ParamSpec> = {}
  readonly reports: Report[] = []
  flops = 0
  constructor(readonly path: string) {}

  add(child: AnyLayer, inDims: DimsSig, inf: Inferred): E.Either<ShapeError, void> {
    const childPath = joinPath(this.path, child.name)
    this.reports.push(...reportsOf(child, childPath, inDims, inf))
    this.flops += inf.flops
    const entries: Array<readonly [string, SpecTree | ParamSpec]> =
      child.name === '' ? Object.entries(inf.params) : Object.keys(inf.params).length > 0 ? [[child.name, inf.params]] : []
    for (const [k, v] of entries) {
      if (k in this.specs) {
        return E.left(
          shapeError(joinPath(this.path, k), 'each parameter path owned by one child', `"${k}" owned twice`, `give the children distinct names with named()`),
        )
      }
      this.specs[k] = v
    }
    return E.right(undefined)
  }

  done(outDims: DimsSig, ownFlops = 0): Inferred {
    return { outDims, params: this.specs, flops: this.flops + ownFlops, children: this.reports }
  }
}

const inferChild = (child: AnyLayer, inDims: DimsSig, parentPath: string): E.Either<ShapeError, Inferred> =>
  child.infer(inDims, joinPath(parentPath, child.name))

const withKey = (ctx: Ctx, i: number): Ctx => ({ key: fold(ctx.key, i), training: ctx.training })

// ---------------------------------------------------------------------------------------------
// identity, named
// ---------------------------------------------------------------------------------------------

/** The unit of `serial`: returns its input; no params. */
export const identity = <S extends Sig = Shape>(): Layer<S, S, NoParams, ''> =>
  makeLayer<S, S, NoParams, ''>({
    kind: 'identity',
    name: '',
    infer: (inDims) => E.right({ outDims: inDims, params: {}, flops: 0, children: [] }),
    apply: (_p, x) => x,
  })

const NAME_RE = /^[A-Za-z0-9_]+$/

/**
 * Gives a layer a scope: inside a parent, its params live under `name` and its path gains the
 * segment `name`. The layer's own params are unchanged (`init` returns them, `apply` takes them):
 * `initOrThrow(named('head', l), …).params` is `l`'s tree, typed `ParamsOf<l>`, not `{ head: … }`.
 */
export const named = <const N extends string, In extends Sig, Out extends Sig, P extends ParamTree>(name: N, layer: Layer<In, Out, P, string>): Layer<In, Out, P, N> => {
  if (!NAME_RE.test(name)) throw new Error(`named: "${name}" is not a valid path segment (letters, digits, _)`)
  return makeLayer<In, Out, P, N>({ kind: layer.kind, name, infer: layer.infer, apply: (p, x, ctx) => (layer as unknown as AnyLayer).apply(p, x as never, ctx) as AnyValue })
}

// ---------------------------------------------------------------------------------------------
// serial
// ---------------------------------------------------------------------------------------------

const flattenSerial = (layers: readonly AnyLayer[]): AnyLayer[] =>
  layers.flatMap((l) => (l.kind === 'serial' && l.name === '' ? (l as SerialLayer).children : [l]))

interface SerialLayer extends AnyLayer {
  readonly children: readonly AnyLayer[]
}

const serialOf = (layers: readonly AnyLayer[]): AnyLayer => {
  const children = flattenSerial(layers)
  const base = makeLayer<Sig, Sig>({
    kind: 'serial',
    name: '',
    infer: (inDims, path) => {
      const scope = new ScopeBuilder(path)
      let dims = inDims
      for (const child of children) {
        const r = inferChild(child, dims, path)
        if (E.isLeft(r)) return r
        const added = scope.add(child, dims, r.right)
        if (E.isLeft(added)) return added
        dims = r.right.outDims
      }
      return E.right(scope.done(dims))
    },
    // tidy: the intermediate values between children are released even when the caller runs no tidy.
    apply: (params, x, ctx) =>
      tf.tidy(() => children.reduce<AnyValue>((v, child, i) => child.apply(scopeOf(params, child), v as never, withKey(ctx, i)) as AnyValue, x) as tf.Tensor | tf.Tensor[]),
  })
  return Object.assign(base, { children }) as SerialLayer
}

/**
 * Composes layers left to right: `serial(f, g)(x) = g(f(x))`. Transparent (params of children sit
 * in the caller's scope, keyed by the children's names); nested unnamed serials are flattened, so
 * `serial` is associative by construction. Adjacent shapes are checked by the type checker.
 */
export function serial<A extends Sig>(): Layer<A, A, NoParams, ''>
export function serial<
  A extends Sig, B extends Sig, P1 extends ParamTree, N1 extends string,
>(
  l1: Layer<A, B, P1, N1>,
): Layer<A, B, ScopeOf<[Contribution<P1, N1>]>, ''>
export function serial<
  A extends Sig, B extends Sig, P1 extends ParamTree, N1 extends string, B2 extends Sig, C extends Sig, P2 extends ParamTree, N2 extends string,
>(
  l1: Layer<A, B, P1, N1>,
  l2: Layer<B2, C, P2, N2> & Fits<B, B2>,
): Layer<A, C, ScopeOf<[Contribution<P1, N1>, Contribution<P2, N2>]>, ''>
export function serial<
  A extends Sig, B extends Sig, P1 extends ParamTree, N1 extends string, B2 extends Sig, C extends Sig, P2 extends ParamTree, N2 extends string, C2 extends Sig, D extends Sig, P3 extends ParamTree, N3 extends string,
>(
  l1: Layer<A, B, P1, N1>,
  l2: Layer<B2, C, P2, N2> & Fits<B, B2>,
  l3: Layer<C2, D, P3, N3> & Fits<C, C2>,
): Layer<A, D, ScopeOf<[Contribution<P1, N1>, Contribution<P2, N2>, Contribution<P3, N3>]>, ''>
export function serial<
  A extends Sig, B extends Sig, P1 extends ParamTree, N1 extends string, B2 extends Sig, C extends Sig, P2 extends ParamTree, N2 extends string, C2 extends Sig, D extends Sig, P3 extends ParamTree, N3 extends string, D2 extends Sig, F extends Sig, P4 extends ParamTree, N4 extends string,
>(
  l1: Layer<A, B, P1, N1>,
  l2: Layer<B2, C, P2, N2> & Fits<B, B2>,
  l3: Layer<C2, D, P3, N3> & Fits<C, C2>,
  l4: Layer<D2, F, P4, N4> & Fits<D, D2>,
): Layer<A, F, ScopeOf<[Contribution<P1, N1>, Contribution<P2, N2>, Contribution<P3, N3>, Contribution<P4, N4>]>, ''>
export function serial<
  A extends Sig, B extends Sig, P1 extends ParamTree, N1 extends string, B2 extends Sig, C extends Sig, P2 extends ParamTree, N2 extends string, C2 extends Sig, D extends Sig, P3 extends ParamTree, N3 extends string, D2 extends Sig, F extends Sig, P4 extends ParamTree, N4 extends string, F2 extends Sig, G extends Sig, P5 extends ParamTree, N5 extends string,
>(
  l1: Layer<A, B, P1, N1>,
  l2: Layer<B2, C, P2, N2> & Fits<B, B2>,
  l3: Layer<C2, D, P3, N3> & Fits<C, C2>,
  l4: Layer<D2, F, P4, N4> & Fits<D, D2>,
  l5: Layer<F2, G, P5, N5> & Fits<F, F2>,
): Layer<A, G, ScopeOf<[Contribution<P1, N1>, Contribution<P2, N2>, Contribution<P3, N3>, Contribution<P4, N4>, Contribution<P5, N5>]>, ''>
export function serial<
  A extends Sig, B extends Sig, P1 extends ParamTree, N1 extends string, B2 extends Sig, C extends Sig, P2 extends ParamTree, N2 extends string, C2 extends Sig, D extends Sig, P3 extends ParamTree, N3 extends string, D2 extends Sig, F extends Sig, P4 extends ParamTree, N4 extends string, F2 extends Sig, G extends Sig, P5 extends ParamTree, N5 extends string, G2 extends Sig, H extends Sig, P6 extends ParamTree, N6 extends string,
>(
  l1: Layer<A, B, P1, N1>,
  l2: Layer<B2, C, P2, N2> & Fits<B, B2>,
  l3: Layer<C2, D, P3, N3> & Fits<C, C2>,
  l4: Layer<D2, F, P4, N4> & Fits<D, D2>,
  l5: Layer<F2, G, P5, N5> & Fits<F, F2>,
  l6: Layer<G2, H, P6, N6> & Fits<G, G2>,
): Layer<A, H, ScopeOf<[Contribution<P1, N1>, Contribution<P2, N2>, Contribution<P3, N3>, Contribution<P4, N4>, Contribution<P5, N5>, Contribution<P6, N6>]>, ''>
export function serial(...layers: AnyLayer[]): AnyLayer {
  return serialOf(layers)
}

/**
 * `serial` over a list built at runtime (e.g. from a config): the same value as `serial`, but the
 * adjacent shapes are checked at init only, not by the type checker.
 */
export const serialDynamic = (layers: readonly AnyLayer[]): AnyLayer => serialOf(layers)

/** `serial` over an array of layers of one shape (no per-pair type check needed). */
export const serialAll = <S extends Sig>(layers: ReadonlyArray<Layer<S, S>>): Layer<S, S> => serialOf(layers as readonly AnyLayer[]) as Layer<S, S>

// ---------------------------------------------------------------------------------------------
// repeat
// ---------------------------------------------------------------------------------------------

/**
 * `n` layers made by `make(i)`, applied in order, scoped `0`…`n−1` (state_dict `blocks.3.…`).
 * Each copy gets its own parameter key through its path. Transparent: wrap in `named('blocks', …)`.
 */
export const repeat = <S extends Sig, P extends ParamTree>(n: number, make: (i: number) => Layer<S, S, P, string>): Layer<S, S, Repeated<P>, ''> => {
  if (!Number.isInteger(n) || n < 0) throw new Error(`repeat: n must be a non-negative integer, got ${n}`)
  return serialOf(Array.from({ length: n }, (_, i) => named(String(i), make(i)) as unknown as AnyLayer)) as unknown as Layer<S, S, Repeated<P>, ''>
}

// ---------------------------------------------------------------------------------------------
// residual, fanOut, parallel, add
// ---------------------------------------------------------------------------------------------

/** `x + f(x)`; `f` must keep the shape (checked at init). Transparent. */
export const residual = <S extends Sig, P extends ParamTree, N extends string>(f: Layer<S, S, P, N>): Layer<S, S, ScopeOf<[Contribution<P, N>]>, ''> => {
  const child = f as unknown as AnyLayer
  return makeLayer<S, S, ScopeOf<[Contribution<P, N>]>, ''>({
    kind: 'residual',
    name: '',
    infer: (inDims, path) => {
      const r = inferChild(child, inDims, path)
      if (E.isLeft(r)) return r
      if (!dimsEqual(r.right.outDims, inDims)) {
        return E.left(shapeError(joinPath(path, child.name), `an output of the input's shape ${formatDims(inDims)} (residual)`, r.right.outDims))
      }
      const scope = new ScopeBuilder(path)
      const added = scope.add(child, inDims, r.right)
      if (E.isLeft(added)) return added
      return E.right(scope.done(inDims, isMulti(inDims) ? 0 : sizeOf(inDims as Dims)))
    },
    apply: (params, x, ctx) => tf.tidy(() => tf.add(x as tf.Tensor, child.apply(scopeOf(params, child), x as never, withKey(ctx, 0)) as tf.Tensor)),
  })
}

type Outs<L extends readonly AnyLayer[]> = { readonly [I in keyof L]: L[I] extends Layer<Sig, infer O> ? (O extends Shape ? O : Shape) : never }
type Contributions<L extends readonly unknown[]> = { readonly [I in keyof L]: L[I] extends { readonly name: infer N extends string; readonly __params?: infer P } ? Contribution<P, N> : ParamTree }

/** `x ↦ [f₀(x), f₁(x), …]`. Transparent; children must have distinct names if they own params. */
export const fanOut = <In extends Sig, L extends readonly Layer<In, Shape>[]>(...fs: L): Layer<In, Outs<L> & readonly Shape[], ScopeOf<Contributions<L>>, ''> => {
  const children = fs as unknown as readonly AnyLayer[]
  return makeLayer<In, Outs<L> & readonly Shape[], ScopeOf<Contributions<L>>, ''>({
    kind: 'fanOut',
    name: '',
    infer: (inDims, path) => {
      const scope = new ScopeBuilder(path)
      const outs: Dims[] = []
      for (const child of children) {
        const r = inferChild(child, inDims, path)
        if (E.isLeft(r)) return r
        if (isMulti(r.right.outDims)) return E.left(shapeError(joinPath(path, child.name), 'a single-tensor output inside fanOut', r.right.outDims))
        const added = scope.add(child, inDims, r.right)
        if (E.isLeft(added)) return added
        outs.push(r.right.outDims as Dims)
      }
      return E.right(scope.done(outs))
    },
    apply: (params, x, ctx) => children.map((c, i) => c.apply(scopeOf(params, c), x as never, withKey(ctx, i)) as tf.Tensor),
  })
}

/** `[x₀, x₁, …] ↦ [f₀(x₀), f₁(x₁), …]`. Transparent. */
export const parallel = <L extends readonly Layer<Shape, Shape>[]>(
  ...fs: L
): Layer<{ readonly [I in keyof L]: L[I] extends Layer<infer A, Sig> ? (A extends Shape ? A : Shape) : never } & readonly Shape[], Outs<L> & readonly Shape[], ScopeOf<Contributions<L>>, ''> => {
  const children = fs as unknown as readonly AnyLayer[]
  return makeLayer({
    kind: 'parallel',
    name: '',
    infer: (inDims, path) => {
      if (!isMulti(inDims) || inDims.length !== children.length) {
        return E.left(shapeError(path, `a tuple of ${children.length} tensors (parallel)`, inDims))
      }
      const scope = new ScopeBuilder(path)
      const outs: Dims[] = []
      for (let i = 0; i < children.length; i++) {
        const child = children[i]!
        const r = inferChild(child, inDims[i]!, path)
        if (E.isLeft(r)) return r
        const added = scope.add(child, inDims[i]!, r.right)
        if (E.isLeft(added)) return added
        outs.push(r.right.outDims as Dims)
      }
      return E.right(scope.done(outs))
    },
    apply: (params, x, ctx) => children.map((c, i) => c.apply(scopeOf(params, c), (x as readonly tf.Tensor[])[i]! as never, withKey(ctx, i)) as tf.Tensor),
  })
}

/** Sums a tuple of same-shaped tensors: `[a, b, …] ↦ a + b + …`. */
export const add = <S extends Shape, const N extends string = 'add'>(name: N = 'add' as N): Layer<readonly S[], S, NoParams, N> =>
  makeLayer<readonly S[], S, NoParams, N>({
    kind: 'add',
    name,
    infer: (inDims, path) => {
      if (!isMulti(inDims) || inDims.length === 0) return E.left(shapeError(path, 'a non-empty tuple of tensors (add)', inDims))
      const first = inDims[0]!
      const bad = inDims.find((d) => !dimsEqual(d, first))
      if (bad !== undefined) return E.left(shapeError(path, `all inputs of shape ${formatDims(first)}`, inDims))
      return E.right({ outDims: first, params: {}, flops: sizeOf(first) * (inDims.length - 1), children: [] })
    },
    apply: (_p, x) => tf.addN([...(x as readonly tf.Tensor[])]),
  })
