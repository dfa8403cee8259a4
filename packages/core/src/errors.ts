/**
 * Errors raised before any data flows: a wrong composition or configuration is reported at `init`
 * with the layer path, what was expected and what was found — never as a tfjs stack trace later.
 */
import { type DimsSig, formatDims } from './shape.ts'

/** A shape or composition error located at a layer path such as `encoder.blocks.3.attn`. */
export interface ShapeError {
  readonly _tag: 'ShapeError'
  /** Dotted layer path, `''` at the root. */
  readonly path: string
  /** What the layer needed, in words (e.g. `last dim 192`). */
  readonly expected: string
  /** The input the layer was given. */
  readonly actual: string
  /** A complete sentence for people. */
  readonly message: string
}

/** Builds a ShapeError whose message reads `at encoder.blocks.0.attn: expected …, got …`. */
export const shapeError = (path: string, expected: string, actual: DimsSig | string, hint?: string): ShapeError => {
  const actualText = typeof actual === 'string' ? actual : formatDims(actual)
  const where = path === '' ? '<root>' : path
  const message = `at ${where}: expected ${expected}, got ${actualText}${hint ? ` (${hint})` : ''}`
  return { _tag: 'ShapeError', path, expected, actual: actualText, message }
}

/** The error thrown when a ShapeError escapes to code that cannot return an Either. */
export class LayerError extends Error {
  constructor(readonly detail: ShapeError) {
    super(detail.message)
    this.name = 'LayerError'
  }
}

/** Joins a parent path and a child segment. */
export const joinPath = (parent: string, child: string): string =>
  parent === '' ? child : child === '' ? parent : `${parent}.${child}`
