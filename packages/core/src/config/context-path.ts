/**
 * Reading io-ts validation contexts as dotted config paths, and showing offending values.
 *
 * Contract: `pathOf(context)` joins the keys of a context (`model.patchSize`, `targets.0.scale`),
 * skipping the member indices that io-ts adds inside unions and intersections (those are not
 * positions in the user's JSON). The root entry's key is the decode's `rootName` (`''` by default).
 * `showValue` renders a value as JSON, at most 80 characters, `undefined` for a missing value.
 */
import type * as t from 'io-ts'

const COMPOSITES = new Set(['UnionType', 'IntersectionType'])

/** The `_tag` of a codec, when it has one (every io-ts class codec does). */
export const tagOf = (codec: t.Decoder<unknown, unknown>): string | undefined => {
  const tag = (codec as { readonly _tag?: unknown })._tag
  return typeof tag === 'string' ? tag : undefined
}

/** The dotted path of a context, `''` at an unnamed root. */
export const pathOf = (context: t.Context): string => {
  const segments: string[] = []
  for (let i = 0; i < context.length; i++) {
    const parent = i > 0 ? context[i - 1] : undefined
    if (parent !== undefined && COMPOSITES.has(tagOf(parent.type) ?? '')) continue
    const key = context[i]!.key
    if (key !== '') segments.push(key)
  }
  return segments.join('.')
}

/** A path for people: `<root>` when empty. */
export const showPath = (path: string): string => (path === '' ? '<root>' : path)

/** Joins a parent path and a key. */
export const childPath = (parent: string, key: string): string => (parent === '' ? key : `${parent}.${key}`)

/** A short JSON rendering of a value for error messages. */
export const showValue = (value: unknown): string => {
  if (value === undefined) return 'undefined'
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  if (typeof value === 'bigint') return `${value}n`
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    text = String(value)
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}
