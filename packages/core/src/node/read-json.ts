/**
 * `readJsonConfig(path, codec)`: read a JSON config file and decode it, with errors naming the file.
 *
 * Contract: synchronous (configs are small and read once at startup). Every issue of the returned
 * ConfigError has the file as `source`, so `format()` reads `cfg.json: Expecting … at model.depth …`.
 * A file that cannot be read gives one issue with the system's reason; malformed JSON gives one issue
 * with the line and column (`cfg.json: invalid JSON at line 3, column 5: …`).
 *
 * @example
 * import { readJsonConfig } from '@jepa-ts/core/node'
 * import { exact, PositiveInt } from '@jepa-ts/core'
 * import * as E from 'fp-ts/lib/Either.js'
 * const r = readJsonConfig('/no/such/file.json', exact({ depth: PositiveInt }))
 * console.assert(E.isLeft(r) && r.left.format().startsWith('/no/such/file.json: cannot read config file'))
 */
import { readFileSync } from 'node:fs'
import type * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { type ConfigError, configError } from '../config/config-error.ts'
import { decode } from '../config/decode.ts'
import { parseJson } from '../config/json-syntax.ts'

/** Reads, parses and decodes a JSON config file. */
export const readJsonConfig = <A>(path: string, codec: t.Decoder<unknown, A>, rootName = ''): E.Either<ConfigError, A> => {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e)
    return E.left(configError([{ path: '', expected: 'a readable file', actual: path, message: `cannot read config file: ${reason}` }], path))
  }
  const parsed = parseJson(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  if (E.isLeft(parsed)) {
    const { line, column, reason } = parsed.left
    return E.left(
      configError([{ path: '', expected: 'valid JSON', actual: `line ${line}, column ${column}`, message: `invalid JSON at line ${line}, column ${column}: ${reason}` }], path),
    )
  }
  return decode(codec, parsed.right, rootName, path)
}
