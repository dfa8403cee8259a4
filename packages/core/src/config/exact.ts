/**
 * `exact(props, optionalProps?, name?)`: a strict object codec. Unknown keys are errors, not
 * silently dropped, and the error names the key, its path and the closest known key.
 *
 * Contract: the input must be a plain object (not null, not an array). Every key of `props` must be
 * present and valid; every key of `optionalProps` may be absent or `undefined`, and is validated when
 * present. Any other own key fails with `unknown key "patchsize" at model (did you mean "patchSize"?)`.
 * A missing required key reads `Expecting PositiveInt at model.patchSize but instead got: undefined
 * (required key is missing)`. All problems are collected, not just the first. The decoded value holds
 * only the known keys.
 *
 * @example
 * import { exact, PositiveInt, decode } from '@jepa-ts/core'
 * import * as E from 'fp-ts/lib/Either.js'
 * const Model = exact({ patchSize: PositiveInt }, {}, 'Model')
 * const r = decode(Model, { patchsize: 16 }, 'model')
 * console.assert(E.isLeft(r) && r.left.format().includes('did you mean "patchSize"'))
 */
import * as t from 'io-ts'
import { childPath, pathOf, showPath } from './context-path.ts'
import { expectingMessage } from './config-error.ts'

type Flat<T> = { [K in keyof T]: T[K] } & {}

/** The decoded type of `exact(P, O)`. */
export type ExactTypeOf<P extends t.Props, O extends t.Props> = Flat<
  { [K in keyof P]: t.TypeOf<P[K]> } & { [K in keyof O]?: t.TypeOf<O[K]> }
>
/** The encoded (plain JSON) type of `exact(P, O)`. */
export type ExactOutputOf<P extends t.Props, O extends t.Props> = Flat<
  { [K in keyof P]: t.OutputOf<P[K]> } & { [K in keyof O]?: t.OutputOf<O[K]> }
>

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k)

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

/** Edit distance with adjacent transpositions, case-insensitive (a case slip counts as no edit). */
const editDistance = (a: string, b: string): number => {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const row = d[i]!
      const up = d[i - 1]!
      let best = Math.min(up[j]! + 1, row[j - 1]! + 1, up[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1))
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1)
      row[j] = best
    }
  }
  return d[x.length]![y.length]!
}

/** The known key closest to `key`, if it is close enough to be a likely typo. */
export const suggestKey = (key: string, known: ReadonlyArray<string>): string | undefined => {
  let best: string | undefined
  let bestDistance = Infinity
  for (const k of known) {
    const d = editDistance(key, k)
    if (d < bestDistance) {
      best = k
      bestDistance = d
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined
}

const unknownKeyMessage = (key: string, at: string, known: ReadonlyArray<string>): string => {
  const suggestion = suggestKey(key, known)
  const hint =
    suggestion !== undefined
      ? ` (did you mean "${suggestion}"?)`
      : known.length > 0
        ? ` (known keys: ${known.join(', ')})`
        : ' (no keys are allowed here)'
  return `unknown key "${key}" at ${showPath(at)}${hint}`
}

/** The strict object codec; keeps its props for `withDefaults` and introspection. */
export class ExactType<P extends t.Props, O extends t.Props> extends t.Type<
  ExactTypeOf<P, O>,
  ExactOutputOf<P, O>,
  unknown
> {
  // Not io-ts's own 'ExactType' tag: io-ts inspects members of unions by tag and would misread ours.
  readonly _tag = 'StrictObjectType' as const
  constructor(
    name: string,
    readonly props: P,
    readonly optionalProps: O,
  ) {
    const known = [...Object.keys(props), ...Object.keys(optionalProps)]
    const isKnown = (k: string): boolean => hasOwn(props, k) || hasOwn(optionalProps, k)
    super(
      name,
      (u): u is ExactTypeOf<P, O> =>
        isPlainObject(u) &&
        Object.keys(u).every(isKnown) &&
        Object.entries(props).every(([k, c]) => c.is(u[k])) &&
        Object.entries(optionalProps).every(([k, c]) => u[k] === undefined || c.is(u[k])),
      (u, c) => {
        if (!isPlainObject(u)) return t.failure(u, c)
        const at = pathOf(c)
        const errors: t.ValidationError[] = []
        const out: Record<string, unknown> = {}
        for (const k of Object.keys(u)) {
          if (!isKnown(k)) {
            errors.push({ value: u[k], context: t.appendContext(c, k, t.never, u[k]), message: unknownKeyMessage(k, at, known) })
          }
        }
        const visit = (k: string, codec: t.Mixed, optional: boolean): void => {
          const present = hasOwn(u, k) && u[k] !== undefined
          if (optional && !present) return
          const v = u[k]
          const result = codec.validate(v, t.appendContext(c, k, codec, v))
          if (result._tag === 'Right') out[k] = result.right
          else if (!present) {
            const message = `${expectingMessage(codec.name, childPath(at, k), undefined)} (required key is missing)`
            errors.push({ value: undefined, context: t.appendContext(c, k, codec, undefined), message })
          } else errors.push(...result.left)
        }
        for (const [k, codec] of Object.entries(props)) visit(k, codec, false)
        for (const [k, codec] of Object.entries(optionalProps)) visit(k, codec, true)
        return errors.length > 0 ? t.failures(errors) : t.success(out as ExactTypeOf<P, O>)
      },
      (a) => {
        const source = a as Record<string, unknown>
        const out: Record<string, unknown> = {}
        for (const [k, codec] of Object.entries(props)) out[k] = codec.encode(source[k])
        for (const [k, codec] of Object.entries(optionalProps)) if (source[k] !== undefined) out[k] = codec.encode(source[k])
        return out as ExactOutputOf<P, O>
      },
    )
  }
}

const describe = (props: t.Props, optionalProps: t.Props): string => {
  const fields = [
    ...Object.entries(props).map(([k, c]) => `${k}: ${c.name}`),
    ...Object.entries(optionalProps).map(([k, c]) => `${k}?: ${c.name}`),
  ]
  return `{ ${fields.join(', ')} }`
}

/** A strict object codec: required `props`, optional `optionalProps`, no other keys. */
export const exact = <P extends t.Props, O extends t.Props = Record<never, never>>(
  props: P,
  optionalProps?: O,
  name?: string,
): ExactType<P, O> => {
  const optional = (optionalProps ?? {}) as O
  return new ExactType(name ?? describe(props, optional), props, optional)
}
