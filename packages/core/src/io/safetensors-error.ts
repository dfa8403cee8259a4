/**
 * Errors of reading and writing safetensors files and param trees.
 *
 * Contract: every error names its source (the file path, or `<bytes>`), the tensor when one is
 * involved, what was expected and what was found, all in `message`:
 * `ckpt.safetensors: tensor "blocks.0.w": byte length of data_offsets [0, 20]: expected 24 (shape [2, 3] × 4 bytes of F32), got 20`.
 */

/** A malformed file, an unreadable file, or a tensor that cannot be represented. */
export interface SafetensorsError {
  readonly _tag: 'SafetensorsError'
  /** File path, or `<bytes>` for in-memory input. */
  readonly source: string
  /** The tensor the problem is about, if any. */
  readonly tensor: string | undefined
  readonly expected: string
  readonly actual: string
  readonly message: string
}

/** A file whose names or shapes do not match the model it is loaded into. */
export interface ParamsMismatchError {
  readonly _tag: 'ParamsMismatchError'
  readonly source: string
  /** Paths the model needs that the file lacks. */
  readonly missing: ReadonlyArray<string>
  /** Paths the file has that the model does not. */
  readonly unexpected: ReadonlyArray<string>
  /** Paths present on both sides with a different shape or dtype. */
  readonly misShaped: ReadonlyArray<{ readonly path: string; readonly expected: string; readonly actual: string }>
  readonly message: string
}

/** Builds a SafetensorsError; `what` names the field or check (`data_offsets`, `header length`). */
export const safetensorsError = (
  source: string,
  tensor: string | undefined,
  what: string,
  expected: string,
  actual: string,
): SafetensorsError => ({
  _tag: 'SafetensorsError',
  source,
  tensor,
  expected,
  actual,
  message: `${source}: ${tensor === undefined ? '' : `tensor "${tensor}": `}${what}: expected ${expected}, got ${actual}`,
})

/** The error thrown where a SafetensorsError or ParamsMismatchError must escape as an exception. */
export class ParamsFileError extends Error {
  constructor(readonly detail: SafetensorsError | ParamsMismatchError) {
    super(detail.message)
    this.name = 'ParamsFileError'
  }
}
