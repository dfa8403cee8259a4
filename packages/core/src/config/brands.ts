/**
 * Branded number codecs for configs: a decoded `PositiveInt` is a number that has been checked once,
 * at the edge, and carries the proof in its type.
 *
 * Contract: each brand's codec name is the word used in error messages (`Expecting PositiveInt at
 * model.patchSize but instead got: "16"`). Every brand rejects non-numbers, NaN and ±Infinity; the
 * integer brands also reject non-integers and integers beyond `Number.MAX_SAFE_INTEGER`.
 *
 * | brand            | accepts                       | typical use                   |
 * |------------------|-------------------------------|-------------------------------|
 * | `PositiveInt`    | 1, 2, 3, …                    | patch size, depth, batch size |
 * | `NonNegativeInt` | 0, 1, 2, …                    | warmup steps, seed            |
 * | `Probability`    | 0 ≤ p ≤ 1                     | `dropProb`, mask ratio        |
 * | `OpenUnit`       | 0 < x ≤ 1                     | scales of a crop or block     |
 * | `PositiveNumber` | finite x > 0                  | learning rate, temperature    |
 *
 * @example
 * import { PositiveInt, decode } from '@jepa-ts/core'
 * import * as E from 'fp-ts/lib/Either.js'
 * console.assert(E.isRight(decode(PositiveInt, 16)))
 * console.assert(E.isLeft(decode(PositiveInt, '16')))
 */
import * as t from 'io-ts'

/** Brand of integers n ≥ 1. */
export interface PositiveIntBrand {
  readonly PositiveInt: unique symbol
}
/** A safe integer n ≥ 1. */
export const PositiveInt = t.brand(
  t.number,
  (n): n is t.Branded<number, PositiveIntBrand> => Number.isSafeInteger(n) && n >= 1,
  'PositiveInt',
)
export type PositiveInt = t.TypeOf<typeof PositiveInt>

/** Brand of integers n ≥ 0. */
export interface NonNegativeIntBrand {
  readonly NonNegativeInt: unique symbol
}
/** A safe integer n ≥ 0 (-0 is accepted as 0). */
export const NonNegativeInt = t.brand(
  t.number,
  (n): n is t.Branded<number, NonNegativeIntBrand> => Number.isSafeInteger(n) && n >= 0,
  'NonNegativeInt',
)
export type NonNegativeInt = t.TypeOf<typeof NonNegativeInt>

/** Brand of probabilities. */
export interface ProbabilityBrand {
  readonly Probability: unique symbol
}
/** A number p with 0 ≤ p ≤ 1. */
export const Probability = t.brand(
  t.number,
  (p): p is t.Branded<number, ProbabilityBrand> => p >= 0 && p <= 1,
  'Probability',
)
export type Probability = t.TypeOf<typeof Probability>

/** Brand of the half-open unit interval (0, 1]. */
export interface OpenUnitBrand {
  readonly OpenUnit: unique symbol
}
/** A number x with 0 < x ≤ 1: a scale that may be full size but never empty. */
export const OpenUnit = t.brand(
  t.number,
  (x): x is t.Branded<number, OpenUnitBrand> => x > 0 && x <= 1,
  'OpenUnit',
)
export type OpenUnit = t.TypeOf<typeof OpenUnit>

/** Brand of finite positive numbers. */
export interface PositiveNumberBrand {
  readonly PositiveNumber: unique symbol
}
/** A finite number x > 0. */
export const PositiveNumber = t.brand(
  t.number,
  (x): x is t.Branded<number, PositiveNumberBrand> => Number.isFinite(x) && x > 0,
  'PositiveNumber',
)
export type PositiveNumber = t.TypeOf<typeof PositiveNumber>
