/**
 * Type-level shape checks used by the combinators.
 *
 * `Fits<Out, In>` is `unknown` when a layer producing `Out` may feed a layer expecting `In`, and an
 * error object type otherwise, so a bad composition fails to compile with a message such as
 * `Property 'error' is missing … { error: "shape mismatch: …"; left: [...Dim[], 192]; right: [...Dim[], 256] }`.
 *
 * Rules, compared from the last dim backwards: two literal sizes must be equal; two named dims must
 * have the same name; a named dim and a literal size may meet (the name is bound at init); a wide
 * `number` or `string` matches anything. Two closed tuples must have the same rank; an open tuple
 * (`[...Dim[], 192]`) matches any rank that ends right. Arithmetic (28 / 4) is left to `init`.
 */
import type { Dim, Shape, Sig } from './shape.ts'

type IsOpen<S extends Shape> = number extends S['length'] ? true : false

type DimFits<A, B> = A extends number
  ? B extends number
    ? number extends A ? true : number extends B ? true : [A] extends [B] ? true : false
    : true
  : A extends string
    ? B extends string
      ? string extends A ? true : string extends B ? true : [A] extends [B] ? true : false
      : true
    : true

type TailFits<A extends Shape, B extends Shape> = A extends readonly [...infer AI extends Shape, infer AL]
  ? B extends readonly [...infer BI extends Shape, infer BL]
    ? DimFits<AL, BL> extends true ? TailFits<AI, BI> : false
    : true
  : true

/** `true` when a shape `A` may flow into a slot expecting `B`. */
export type ShapeFits<A extends Shape, B extends Shape> = IsOpen<A> extends true
  ? TailFits<A, B>
  : IsOpen<B> extends true
    ? TailFits<A, B>
    : A['length'] extends B['length'] ? TailFits<A, B> : false

type IsMulti<S extends Sig> = [S] extends [readonly []] ? false : [S] extends [readonly Shape[]] ? true : false

type AllFit<A extends readonly Shape[], B extends readonly Shape[]> = A['length'] extends B['length']
  ? A extends readonly [infer A0 extends Shape, ...infer AR extends readonly Shape[]]
    ? B extends readonly [infer B0 extends Shape, ...infer BR extends readonly Shape[]]
      ? ShapeFits<A0, B0> extends true ? AllFit<AR, BR> : false
      : true
    : true
  : false

/** `true` when a signature `A` may flow into a slot expecting `B` (one tensor or a tuple). */
export type SigFits<A extends Sig, B extends Sig> = [Sig] extends [B] ? true : [Sig] extends [A] ? true : IsMulti<A> extends true
  ? IsMulti<B> extends true
    ? A extends readonly Shape[] ? B extends readonly Shape[] ? AllFit<A, B> : false : false
    : false
  : IsMulti<B> extends true
    ? false
    : A extends Shape ? B extends Shape ? ShapeFits<A, B> : false : false

/** The readable compile error of a bad composition. */
export interface ShapeMismatch<Left, Right> {
  readonly error: 'shape mismatch: the output of the left layer does not fit the input of the right layer'
  readonly left: Left
  readonly right: Right
}

/** `unknown` if `Out` fits `In`, else the error object that the right-hand layer fails to match. */
export type Fits<Out extends Sig, In extends Sig> = SigFits<Out, In> extends true ? unknown : ShapeMismatch<Out, In>

/** Shape with the last dim replaced: `WithLast<['B', 'N', 192], 768>` = `['B', 'N', 768]`. */
export type WithLast<S extends Shape, D extends Dim> = S extends readonly [...infer I, Dim] ? readonly [...I, D] : readonly [...Dim[], D]
