/**
 * `decode(codec, input, rootName?)`: the one place a config becomes a typed value.
 *
 * Contract: returns `Right(value)` or `Left(ConfigError)` with every problem found (not only the
 * first). `rootName` prefixes every path (`decode(Model, json.model, 'model')` reports
 * `model.patchSize`); without it, root-level problems read `at <root>`. `source` (a file name) is
 * kept on the error and prefixes each line of `format()`. `decodeOrThrow` is for
 * scripts and presets: it throws a `ConfigDecodeError` whose message is `format()`.
 *
 * @example
 * import { exact, PositiveInt, decode } from '@jepa-ts/core'
 * import * as E from 'fp-ts/lib/Either.js'
 * const r = decode(exact({ patchSize: PositiveInt }), { patchSize: '16' }, 'model')
 * console.assert(E.isLeft(r) && r.left.format() === 'Expecting PositiveInt at model.patchSize but instead got: "16"')
 */
import type * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { type ConfigError, ConfigDecodeError, configError, issuesOf } from './config-error.ts'

/** Decodes `input`; every path in an error starts at `rootName`. */
export const decode = <A>(codec: t.Decoder<unknown, A>, input: unknown, rootName = '', source?: string): E.Either<ConfigError, A> => {
  const result = codec.validate(input, [{ key: rootName, type: codec, actual: input }])
  return result._tag === 'Right' ? E.right(result.right) : E.left(configError(issuesOf(result.left), source))
}

/** Decodes `input` or throws a `ConfigDecodeError` listing every problem. */
export const decodeOrThrow = <A>(codec: t.Decoder<unknown, A>, input: unknown, rootName = ''): A => {
  const result = decode(codec, input, rootName)
  if (E.isLeft(result)) throw new ConfigDecodeError(result.left)
  return result.right
}
