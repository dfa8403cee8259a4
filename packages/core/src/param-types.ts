/**
 * Type-level param trees: what a layer's `init` returns and its `apply` takes, composed by the
 * combinators the way they compose the runtime trees.
 *
 * Contract:
 * - A layer's params type `P` is its own scope (the tree `init` returns, `apply` takes), written as
 *   a type alias of tensor leaves: `{ readonly weight: tf.Tensor; readonly bias: tf.Tensor }`.
 *   Type aliases (not interfaces) so every such type is a `ParamTree`.
 * - A layer without params has `NoParams`; a layer whose layout the type checker cannot know (a
 *   config-built `serialDynamic`, a hand-made tree) has the wide `ParamTree`.
 * - What a child adds to its parent's scope (`Contribution`): nothing if it has no params (the
 *   runtime scope builder drops empty scopes too); its own tree if it is transparent (name `''`);
 *   `{ [name]: P }` if it is named. An unknown name (wide `string`) makes the parent's scope wide.
 * - `ScopeOf<[C₀, C₁, …]>` merges the contributions of a combinator's children: their intersection,
 *   flattened for readable hovers; `NoParams` if nothing was added; `ParamTree` if any is wide.
 */
import type * as tf from '@tensorflow/tfjs'
import type { ParamTree } from './tree.ts'

/** The params of a layer that owns none: only the empty tree fits. */
export type NoParams = { readonly [segment: string]: never }

/** One leaf of a typed param tree. */
export type ParamLeaf = tf.Tensor

/** True when `P` can hold no leaf (`NoParams`, or a record with no keys). */
export type IsEmptyParams<P> = [keyof P] extends [never] ? true : string extends keyof P ? ([P[string]] extends [never] ? true : false) : false

/** True when `P` is an untyped (index-signature) tree such as `ParamTree`. */
export type IsWideParams<P> = IsEmptyParams<P> extends true ? false : string extends keyof P ? true : false

/** What a child named `N` with params `P` adds to its parent's scope (see the module doc). */
export type Contribution<P, N extends string> =
  IsEmptyParams<P> extends true ? unknown : string extends N ? ParamTree : N extends '' ? P : { readonly [K in N]: P }

type Intersect<Cs extends readonly unknown[]> = Cs extends readonly [infer H, ...infer R] ? H & Intersect<R> : unknown
type AnyWide<Cs extends readonly unknown[]> = Cs extends readonly [infer H, ...infer R] ? (IsWideParams<H> extends true ? true : AnyWide<R>) : false
type Flat<T> = { readonly [K in keyof T]: T[K] }
type AsTree<T> = T extends ParamTree ? T : ParamTree

/** The scope a combinator's children build together (see the module doc). */
export type ScopeOf<Cs extends readonly unknown[]> = AnyWide<Cs> extends true ? ParamTree : unknown extends Intersect<Cs> ? NoParams : AsTree<Flat<Intersect<Cs>>>

/** The scope of `repeat(n, make)`: copies `0 … n−1`, each with `P` (nothing if `P` is empty). */
export type Repeated<P> = IsEmptyParams<P> extends true ? NoParams : AsTree<{ readonly [i: `${number}`]: P }>
