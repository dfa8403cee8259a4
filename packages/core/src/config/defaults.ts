/**
 * `withDefaults(codec, defaults)`: optional fields of an `exact` codec that are absent from the input
 * take their default, so presets and partial user JSON decode to the same complete type.
 *
 * Contract: defaults are written in the encoded (plain JSON) form and are checked when the codec is
 * built — a default for a key that is not an optional prop, or a default its codec rejects, throws
 * right there, naming the key. At decode, an absent or `undefined` field takes its default; a present
 * field is validated as given (a wrong user value is an error, never replaced). Merging is shallow:
 * a nested object given by the user replaces the nested default (use `overlay` for deep merges).
 *
 * @example
 * import { exact, withDefaults, PositiveInt, decodeOrThrow } from '@jepa-ts/core'
 * const Model = withDefaults(exact({ imageSize: PositiveInt }, { patchSize: PositiveInt }, 'Model'), { patchSize: 4 })
 * console.assert(decodeOrThrow(Model, { imageSize: 28 }).patchSize === 4)
 */
import * as t from 'io-ts'
import { type ExactType, type ExactTypeOf, type ExactOutputOf } from './exact.ts'
import { issuesOf } from './config-error.ts'

type Flat<T> = { [K in keyof T]: T[K] } & {}

/** Defaults for some of the optional props, in encoded form. */
export type DefaultsFor<O extends t.Props> = { readonly [K in keyof O]?: t.OutputOf<O[K]> }

/** The decoded type once the defaulted keys are known to be present. */
export type WithDefaultsOf<P extends t.Props, O extends t.Props, D> = Flat<
  ExactTypeOf<P, O> & { [K in keyof D & keyof O]-?: t.TypeOf<O[K]> }
>

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k)

/** Fills absent optional fields of an exact codec with defaults before validating. */
export const withDefaults = <P extends t.Props, O extends t.Props, D extends DefaultsFor<O>>(
  codec: ExactType<P, O>,
  defaults: D,
  name?: string,
): t.Type<WithDefaultsOf<P, O, D>, ExactOutputOf<P, O>, unknown> => {
  const defaultEntries = Object.entries(defaults).filter(([, v]) => v !== undefined)
  for (const [k, v] of defaultEntries) {
    if (!hasOwn(codec.optionalProps, k)) {
      const known = Object.keys(codec.optionalProps)
      throw new TypeError(
        `withDefaults(${codec.name}): "${k}" is not an optional key (optional keys: ${known.length > 0 ? known.join(', ') : 'none'})`,
      )
    }
    const field = codec.optionalProps[k]!
    const checked = field.validate(v, [{ key: `defaults.${k}`, type: field, actual: v }])
    if (checked._tag === 'Left') {
      throw new TypeError(`withDefaults(${codec.name}): ${issuesOf(checked.left).map((i) => i.message).join('; ')}`)
    }
  }
  const fill = (u: unknown): unknown => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return u
    const filled: Record<string, unknown> = { ...(u as Record<string, unknown>) }
    for (const [k, v] of defaultEntries) if (filled[k] === undefined) filled[k] = v
    return filled
  }
  return new t.Type<WithDefaultsOf<P, O, D>, ExactOutputOf<P, O>, unknown>(
    name ?? codec.name,
    (u): u is WithDefaultsOf<P, O, D> =>
      codec.is(u) && defaultEntries.every(([k]) => (u as Record<string, unknown>)[k] !== undefined),
    // The filled value has every defaulted key, so the exact codec's result has them too.
    (u, c) => codec.validate(fill(u), c) as t.Validation<WithDefaultsOf<P, O, D>>,
    (a) => codec.encode(a),
  )
}

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

/**
 * Deep-merges plain JSON: objects merge key by key, anything else in `patch` (numbers, strings,
 * arrays, null) replaces what is in `base`; `undefined` in `patch` keeps `base`. Use it to lay a
 * user's partial JSON over an encoded preset before decoding.
 */
export const overlay = (base: unknown, patch: unknown): unknown => {
  if (patch === undefined) return base
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(patch)) out[k] = overlay(base[k], v)
  return out
}
