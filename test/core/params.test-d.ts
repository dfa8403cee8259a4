/**
 * Type tests for param trees (checked by `tsc --noEmit`, which the test command runs first): each
 * `@ts-expect-error` line must stay an error; the unmarked lines must keep compiling. The combinators
 * compose the params types the way they compose the runtime trees (see param-types.ts); the runtime
 * side is tested in param-check.test.ts.
 */
import type * as tf from '@tensorflow/tfjs'
import type { Dim, Layer, NoParams, ParamTree, ParamsOf } from '@jepa-ts/core'
import { add, fanOut, identity, initOrThrow, keyOf, named, repeat, residual, serial } from '@jepa-ts/core'

type W = { readonly weight: tf.Tensor; readonly bias: tf.Tensor }
type Eq<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
type Assert<T extends true> = T

declare const fc1: Layer<readonly [...Dim[], 4], readonly [...Dim[], 8], W, 'fc1'>
declare const fc2: Layer<readonly [...Dim[], 8], readonly [...Dim[], 8], W, 'fc2'>
declare const act: Layer<readonly [...Dim[], 8], readonly [...Dim[], 8], NoParams, 'act'>
declare const unnamed: Layer<readonly [...Dim[], 8], readonly [...Dim[], 8], W, string>
declare const x: tf.Tensor
declare const w: tf.Tensor
declare const untyped: ParamTree
const ctx = { key: keyOf(0), training: false }

// serial: named children land under their names; a param-free child adds nothing.
export const s1 = serial(fc1, act, fc2)
export type S1 = Assert<Eq<ParamsOf<typeof s1>, { readonly fc1: W; readonly fc2: W }>>
// named keeps the layer's own params; a parent puts them under the name.
export const mlp = named('mlp', s1)
export type M1 = Assert<Eq<ParamsOf<typeof mlp>, { readonly fc1: W; readonly fc2: W }>>
export const s2 = serial(mlp, named('head', fc2))
export type S2 = Assert<Eq<ParamsOf<typeof s2>, { readonly mlp: { readonly fc1: W; readonly fc2: W }; readonly head: W }>>
// residual, repeat, fanOut, identity, add.
export type R1 = Assert<Eq<ParamsOf<ReturnType<typeof residual<readonly [...Dim[], 8], W, 'fc2'>>>, { readonly fc2: W }>>
export const blocks = named('blocks', repeat(3, () => fc2))
export type B1 = Assert<Eq<ParamsOf<typeof blocks>, { readonly [i: `${number}`]: W }>>
export const fan = fanOut(named('a', fc2), named('b', act))
export type F1 = Assert<Eq<ParamsOf<typeof fan>, { readonly a: W }>>
export type I1 = Assert<Eq<ParamsOf<ReturnType<typeof identity>>, NoParams>>
export type A1 = Assert<Eq<ParamsOf<ReturnType<typeof add>>, NoParams>>
export const empty = serial<readonly [...Dim[], 8]>()
export type E1 = Assert<Eq<ParamsOf<typeof empty>, NoParams>>
// A child whose name the checker cannot know makes the scope untyped (checked at runtime only).
export const wide = serial(fc2, unnamed)
export type U1 = Assert<Eq<ParamsOf<typeof wide>, ParamTree>>

// init returns the typed tree; apply takes it.
const { params } = initOrThrow(s2, keyOf(0), [2, 4])
export const leaf: tf.Tensor = params.mlp.fc1.weight
export const y = s2.apply(params, x, ctx)
const head = initOrThrow(named('head', fc2), keyOf(0), [2, 8]).params
export const hw: tf.Tensor = head.weight
// @ts-expect-error named('head', l) returns l's own tree: there is no `head` key in it
export const wrongScope = head.head
// @ts-expect-error a tree missing a child does not type-check
export const missingChild = s1.apply({ fc1: { weight: w, bias: w } }, x, ctx)
// @ts-expect-error a leaf missing in a child does not type-check
export const missingLeaf = s1.apply({ fc1: { weight: w, bias: w }, fc2: { weight: w } }, x, ctx)
// @ts-expect-error a subtree where a leaf belongs does not type-check
export const subtreeForLeaf = fc2.apply({ weight: { w }, bias: w }, x, ctx)
// @ts-expect-error the parent's tree passed to the named child does not type-check
export const parentTree = named('head', fc2).apply({ head: { weight: w, bias: w } }, x, ctx)
// @ts-expect-error an untyped tree (loaded from a file) needs checkParams first
export const needsCheck = s1.apply(untyped, x, ctx)
