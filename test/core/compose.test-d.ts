/**
 * Type tests for composition (checked by `tsc --noEmit`, which the test command runs first).
 * Each `@ts-expect-error` line must stay an error: if a change makes it compile, tsc fails with
 * "Unused '@ts-expect-error' directive". The unmarked lines must keep compiling.
 */
import type { Dim, Layer, ShapeFits, SigFits } from '@jepa-ts/core'
import { serial, residual, identity, named } from '@jepa-ts/core'
import { dense } from './helpers.ts'

declare const patches: Layer<readonly ['B', 28, 28, 1], readonly ['B', 49, 192]>
declare const tokensBN: Layer<readonly ['B', 'N', 192], readonly ['B', 'N', 192]>
declare const tokensBM: Layer<readonly ['B', 'M', 192], readonly ['B', 'M', 192]>
declare const rank2: Layer<readonly ['B', 192], readonly ['B', 10]>

// Widths that agree compose; the result carries the outer shapes.
export const ok1: Layer<readonly [...Dim[], 192], readonly [...Dim[], 10]> = serial(dense(192, 768), dense(768, 10))
export const ok2 = serial(patches, dense(192, 384), dense(384, 192), tokensBN)
export const ok3 = serial(tokensBN, residual(dense(192, 192)), named('head', dense(192, 10)))
export const ok4 = serial(identity<readonly [...Dim[], 4]>(), dense(4, 2))

// @ts-expect-error a 192-wide output into a 256-wide input does not compile
export const bad1 = serial(dense(4, 192), dense(256, 10))
// @ts-expect-error the mismatch is found in any position of a longer chain
export const bad2 = serial(dense(4, 8), dense(8, 16), dense(15, 2))
// @ts-expect-error named dims must agree: N is not M
export const bad3 = serial(tokensBN, tokensBM)
// @ts-expect-error ranks of closed shapes must agree: [B, N, 192] is not [B, 192]
export const bad4 = serial(tokensBN, rank2)
// @ts-expect-error the patch layer's 192-wide tokens do not fit a 256-wide layer
export const bad5 = serial(patches, dense(256, 10))

// The predicates themselves.
type Assert<T extends true> = T
type Refute<T extends false> = T
export type T1 = Assert<ShapeFits<readonly ['B', 'N', 192], readonly [...Dim[], 192]>>
export type T2 = Assert<ShapeFits<readonly ['B', 49, 192], readonly ['B', 'N', 192]>>
export type T3 = Refute<ShapeFits<readonly ['B', 'N', 192], readonly ['B', 'N', 256]>>
export type T4 = Refute<ShapeFits<readonly ['B', 192], readonly ['B', 'N', 192]>>
export type T5 = Assert<SigFits<readonly [readonly ['B', 4], readonly ['B', 5]], readonly [readonly [...Dim[], 4], readonly [...Dim[], 5]]>>
export type T6 = Refute<SigFits<readonly [readonly ['B', 4], readonly ['B', 5]], readonly [readonly [...Dim[], 4], readonly [...Dim[], 4]]>>
