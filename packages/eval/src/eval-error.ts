/**
 * Errors for bad evaluation input. Every error names the argument it is about (`train.labels`,
 * `settings.k`, `test.features`), what was expected and what was found, with the numbers, so a user
 * can fix the call without reading a stack trace. Validators return them in an `Either`; the metric
 * functions, which are called from plain code, throw them wrapped in `EvalInputError`.
 */
import * as E from 'fp-ts/lib/Either.js'

/** An evaluation input error located at an argument path. */
export interface EvalError {
  readonly _tag: 'EvalError'
  /** The argument involved, e.g. `train.labels` or `settings.batchSize`. */
  readonly field: string
  /** What was needed, in words. */
  readonly expected: string
  /** What was found. */
  readonly actual: string
  /** One sentence for people: `<field>: expected …, got … (hint)`. */
  readonly message: string
}

/** Builds an EvalError whose message starts with the argument it names. */
export const evalError = (field: string, expected: string, actual: string, hint?: string): EvalError => ({
  _tag: 'EvalError',
  field,
  expected,
  actual,
  message: `${field}: expected ${expected}, got ${actual}${hint ? ` (${hint})` : ''}`,
})

/** The error thrown when an EvalError reaches code that cannot return an Either. */
export class EvalInputError extends Error {
  constructor(readonly detail: EvalError) {
    super(detail.message)
    this.name = 'EvalInputError'
  }
}

/** Unwraps a Right, or throws its Left as an `EvalInputError`. */
export const orThrow = <A>(result: E.Either<EvalError, A>): A => {
  if (E.isLeft(result)) throw new EvalInputError(result.left)
  return result.right
}

/** Right(value) when it is an integer ≥ `min`, else an error naming `field`. */
export const checkInteger = (field: string, value: number, min: number): E.Either<EvalError, number> =>
  Number.isInteger(value) && value >= min ? E.right(value) : E.left(evalError(field, `an integer ≥ ${min}`, String(value)))

/** Right(value) when it is a finite number > 0, else an error naming `field`. */
export const checkPositive = (field: string, value: number): E.Either<EvalError, number> =>
  Number.isFinite(value) && value > 0 ? E.right(value) : E.left(evalError(field, 'a finite number > 0', String(value)))

/** Right(value) when it is a finite number ≥ 0, else an error naming `field`. */
export const checkNonNegative = (field: string, value: number): E.Either<EvalError, number> =>
  Number.isFinite(value) && value >= 0 ? E.right(value) : E.left(evalError(field, 'a finite number ≥ 0', String(value)))
