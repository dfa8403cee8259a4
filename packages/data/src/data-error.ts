/**
 * Errors raised while reading or building a dataset. Every error names where it happened — a file
 * path, a field (`labels`, `dims[0]`, `options.size`) or both — what was expected and what was found,
 * so a user can fix the input without reading a stack trace. Loaders return them in an `Either`.
 */
import type { Either } from 'fp-ts/lib/Either.js'

/** A data error located at a file and/or a field. */
export interface DataError {
  readonly _tag: 'DataError'
  /** The file or folder involved, when there is one. */
  readonly file?: string
  /** The field, header entry or option involved, when there is one. */
  readonly field?: string
  /** What was needed, in words. */
  readonly expected: string
  /** What was found. */
  readonly actual: string
  /** One sentence for people: `<file>: <field>: expected …, got … (hint)`. */
  readonly message: string
}

/** Where a data error happened. */
export interface DataErrorPlace {
  readonly file?: string
  readonly field?: string
}

/** Builds a DataError whose message starts with the file and field it names. */
export const dataError = (place: DataErrorPlace, expected: string, actual: string, hint?: string): DataError => {
  const where = [place.file, place.field].filter((p): p is string => p !== undefined && p !== '').join(': ')
  const message = `${where === '' ? '' : `${where}: `}expected ${expected}, got ${actual}${hint ? ` (${hint})` : ''}`
  return {
    _tag: 'DataError',
    ...(place.file !== undefined ? { file: place.file } : {}),
    ...(place.field !== undefined ? { field: place.field } : {}),
    expected,
    actual,
    message,
  }
}

/** The error thrown when a DataError escapes to code that cannot return an Either. */
export class DatasetError extends Error {
  constructor(readonly detail: DataError) {
    super(detail.message)
    this.name = 'DatasetError'
  }
}

/** Unwraps a loader's result, throwing a `DatasetError` on the left. */
export const orThrow = <A>(result: Either<DataError, A>): A => {
  if (result._tag === 'Left') throw new DatasetError(result.left)
  return result.right
}
