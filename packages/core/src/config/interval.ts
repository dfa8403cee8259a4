/**
 * `interval(bound)`: a `[lo, hi]` pair with lo ≤ hi, each end decoded by `bound` — e.g. the scale
 * range `[0.15, 0.2]` of I-JEPA target blocks is `interval(OpenUnit)`.
 *
 * Contract: the input must be an array of exactly two elements; each is validated by `bound` (errors
 * at `scale.0`, `scale.1`); then lo ≤ hi is checked, reporting `Expecting Interval<OpenUnit> (lo ≤ hi)
 * at targets.0.scale but instead got: [0.2,0.15]`. `range` is the same function.
 *
 * @example
 * import { interval, OpenUnit, decodeOrThrow } from '@jepa-ts/core'
 * const [lo, hi] = decodeOrThrow(interval(OpenUnit), [0.15, 0.2])
 * console.assert(lo <= hi)
 */
import * as t from 'io-ts'
import { expectingMessage } from './config-error.ts'
import { pathOf } from './context-path.ts'

/** A closed interval `[lo, hi]`. */
export type Interval<A> = readonly [A, A]

/** The codec of `[lo, hi]` pairs with lo ≤ hi. */
export const interval = <A extends number, O>(
  bound: t.Type<A, O, unknown>,
  name = `Interval<${bound.name}>`,
): t.Type<Interval<A>, readonly [O, O], unknown> =>
  new t.Type<Interval<A>, readonly [O, O], unknown>(
    name,
    (u): u is Interval<A> => Array.isArray(u) && u.length === 2 && bound.is(u[0]) && bound.is(u[1]) && u[0] <= u[1],
    (u, c) => {
      if (!Array.isArray(u) || u.length !== 2) {
        return t.failure(u, c, expectingMessage(`${name} (an array [lo, hi])`, pathOf(c), u))
      }
      const lo = bound.validate(u[0], t.appendContext(c, '0', bound, u[0]))
      const hi = bound.validate(u[1], t.appendContext(c, '1', bound, u[1]))
      if (lo._tag === 'Left' || hi._tag === 'Left') {
        return t.failures([...(lo._tag === 'Left' ? lo.left : []), ...(hi._tag === 'Left' ? hi.left : [])])
      }
      if (!(lo.right <= hi.right)) return t.failure(u, c, expectingMessage(`${name} (lo ≤ hi)`, pathOf(c), u))
      return t.success([lo.right, hi.right] as const)
    },
    ([lo, hi]) => [bound.encode(lo), bound.encode(hi)] as const,
  )

/** Alias of `interval`. */
export const range = interval
