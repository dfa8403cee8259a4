/**
 * Shapes at two levels.
 *
 * Type level: a `Shape` is a tuple of dims, each a numeric literal (`192`) or a named symbolic dim
 * (`'B'`, `'N'`); the type checker compares ranks, named dims and literal dims when layers compose.
 * Runtime: a `Dims` is a plain array of non-negative integers; arithmetic on dims (28 / 4 = 7) is
 * checked at `init` time, where the error quotes the layer path, the expected and the actual shape.
 * A layer's input or output is either one tensor (`Shape`) or a tuple of tensors (`Shape[]`).
 */

/** One dim of a type-level shape: a literal size or a symbolic name. */
export type Dim = number | string

/** A type-level shape: a tuple of dims, e.g. `['B', 196, 192]`. */
export type Shape = readonly Dim[]

/** A layer's input or output signature: one shape, or a tuple of shapes (multi-input layers). */
export type Sig = Shape | readonly Shape[]

/** A runtime shape: concrete, non-negative integer sizes. */
export type Dims = readonly number[]

/** A runtime signature: one shape or several. */
export type DimsSig = Dims | readonly Dims[]

/** True when a runtime signature is a tuple of shapes. */
export const isMulti = (s: DimsSig): s is readonly Dims[] => s.length > 0 && Array.isArray(s[0])

/** `[2, 3]` → `"[2, 3]"`; a tuple of shapes → `"([2, 3], [4])"`. */
export const formatDims = (s: DimsSig): string =>
  isMulti(s) ? `(${s.map((d) => formatDims(d)).join(', ')})` : `[${(s as Dims).join(', ')}]`

/** Number of elements of a shape. */
export const sizeOf = (s: Dims): number => s.reduce((a, b) => a * b, 1)

/** Structural equality of runtime shapes. */
export const dimsEqual = (a: DimsSig, b: DimsSig): boolean => formatDims(a) === formatDims(b)

/** The last element of a tuple type. */
export type Last<S extends Shape> = S extends readonly [...Dim[], infer L] ? L : never
