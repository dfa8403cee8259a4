/**
 * `scoped(kind, name, inner)`: gives a composite (usually a transparent `serial`) its own kind and
 * state_dict scope, so `block` reads as one `block` row in a summary and owns `norm1.weight`,
 * `attn.qkv.weight`, … under its name. It is `named(name, inner)` with a kind of its own: the same
 * `infer` and `apply`, so shapes, params and FLOPs are exactly those of `inner`.
 *
 * `childInfer` runs a child's shape interpreter at `path.child` and turns its result into the
 * child's report row, for hand-written composites (attention) that cannot be a plain `serial`.
 *
 * Inside a generic constructor (`block<D>`) the type checker cannot decide `Fits<…D…>`, so
 * composites are assembled from `AnyLayer`s and `scoped` states the composite's type once (shapes
 * and params type `P`), through `makeLayer` (core's one audited meeting point of typed and untyped
 * views); the type tests check the resulting signatures from the outside, and every apply checks
 * the runtime tree against the specs.
 */
import * as E from 'fp-ts/lib/Either.js'
import {
  type AnyLayer,
  type DimsSig,
  type Inferred,
  type Layer,
  type ParamTree,
  type Report,
  type ShapeError,
  type Sig,
  countSpecs,
  joinPath,
  makeLayer,
} from '@jepa-ts/core'

const NAME_RE = /^[A-Za-z0-9_]+$/

/** `inner` under the scope `name`, reported with `kind`; `P` states the params type of `inner`. */
export const scoped = <In extends Sig, Out extends Sig, P extends ParamTree = ParamTree, N extends string = string>(kind: string, name: N, inner: AnyLayer): Layer<In, Out, P, N> => {
  if (!NAME_RE.test(name)) throw new Error(`${kind}: "${name}" is not a valid path segment (letters, digits, _)`)
  return makeLayer<In, Out, P, N>({ kind, name, infer: inner.infer, apply: (p, x, ctx) => inner.apply(p, x, ctx) })
}

/** A child's inference at `parentPath.child.name`, with the report row a summary shows for it. */
export const childInfer = (
  child: AnyLayer,
  inDims: DimsSig,
  parentPath: string,
): E.Either<ShapeError, { readonly inferred: Inferred; readonly report: Report }> => {
  const path = joinPath(parentPath, child.name)
  return E.map((inferred: Inferred) => ({
    inferred,
    report: { path, kind: child.kind, inDims, outDims: inferred.outDims, params: countSpecs(inferred.params), flops: inferred.flops, children: inferred.children },
  }))(child.infer(inDims, path))
}
