/**
 * Families from outside this build: a run config's `"family"` may name a module file instead of a
 * registered name — `"family": "./families/data2vec.ts"`, resolved relative to the config file (an
 * absolute path works too). `jepa train`, `eval`, `compare` and `sweep` then treat it exactly like a
 * built-in family.
 *
 * The module contract: its default export is a `FamilyEntry` (`@jepa-ts/cli`) —
 *
 *   export default familyEntry({
 *     name: 'data2vec',                        the name in tables and messages
 *     description: '…',
 *     example: { … },                          a model section that decodes
 *     decode: (input, root) => decode(MyConfigCodec, input, root),   Either<ConfigError, C>
 *     create: (config, { totalSteps }) => myFamily(config, totalSteps),   a Family of @jepa-ts/train
 *   })
 *
 * or any object `{ name, build(model, root, { totalSteps }) → Either<ConfigError, Family> }`
 * (`description` and `example` optional). A module path is any `family` value that starts with `./`,
 * `../` or `/`, or ends in `.ts`, `.mts`, `.js` or `.mjs`.
 *
 * Contract: `withFamilyModule(input, registry, baseDir, source)` leaves a config naming a registered
 * family as it is; for a module path it imports the module and returns the config with `family`
 * replaced by the module's absolute path and the registry extended by the entry under that path. So
 * the config stored in checkpoints names the module absolutely, and `jepa eval` / `--resume` find it
 * again from any working directory (a moved module is reported naming the path). A module that
 * cannot be imported, or whose default export is not an entry, is a ConfigError at `family` naming
 * the file and what was expected.
 */
import { isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { type ConfigError, configError } from '@jepa-ts/core'
import type { FamilyEntry, FamilyRegistry } from './commands/families.ts'

/** Whether a run config's `family` value names a module file (not a registered name). */
export const isFamilyPath = (family: string): boolean =>
  family.startsWith('./') || family.startsWith('../') || isAbsolute(family) || /\.(m?ts|m?js)$/.test(family)

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** What a family module's default export must be. */
export const FAMILY_MODULE_CONTRACT = 'a default export { name: string, build(model, root, { totalSteps }) → Either<ConfigError, Family> } (familyEntry({ name, description, example, decode, create }) of @jepa-ts/cli makes one)'

/** Imports a family module by absolute path; Left(message naming the file) when it is not one. */
export const loadFamilyModule = async (path: string): Promise<E.Either<string, FamilyEntry>> => {
  let mod: unknown
  try {
    mod = await import(pathToFileURL(path).href)
  } catch (e) {
    return E.left(`cannot import the family module ${path}: ${e instanceof Error ? e.message : String(e)}`)
  }
  const entry = isRecord(mod) ? mod['default'] : undefined
  if (!isRecord(entry) || typeof entry['name'] !== 'string' || entry['name'] === '' || typeof entry['build'] !== 'function') {
    const got = !isRecord(entry) ? (entry === undefined ? 'no default export' : `a default export of type ${typeof entry}`) : `a default export with keys ${Object.keys(entry).join(', ') || 'none'}`
    return E.left(`the family module ${path} must have ${FAMILY_MODULE_CONTRACT}; got ${got}`)
  }
  const build = entry['build'] as FamilyEntry['build']
  return E.right({
    name: entry['name'],
    description: typeof entry['description'] === 'string' ? entry['description'] : `family module ${path}`,
    example: entry['example'],
    build: (input, root, options) => build(input, root, options),
  })
}

/** A config whose `family` is a module path, with that path made absolute (relative to `baseDir`); other values unchanged. */
export const absoluteFamilyPath = <A>(config: A, baseDir: string): A => {
  if (!isRecord(config) || typeof config['family'] !== 'string' || !isFamilyPath(config['family'])) return config
  return { ...config, family: resolve(baseDir, config['family']) }
}

/** Resolves a module-path family (see the module contract); registered names pass through. */
export const withFamilyModule = async (input: unknown, registry: FamilyRegistry, baseDir: string, source?: string): Promise<E.Either<ConfigError, { readonly input: unknown; readonly registry: FamilyRegistry }>> => {
  if (!isRecord(input) || typeof input['family'] !== 'string' || !isFamilyPath(input['family']) || registry.has(input['family'])) return E.right({ input, registry })
  const written = input['family']
  const absolute = resolve(baseDir, written)
  const entry = await loadFamilyModule(absolute)
  if (E.isLeft(entry)) {
    const from = written === absolute ? '' : ` (family "${written}" resolved against ${baseDir})`
    return E.left(configError([{ path: 'family', expected: 'a family module', actual: written, message: `${entry.left}${from}` }], source))
  }
  return E.right({ input: { ...input, family: absolute }, registry: new Map([...registry, [absolute, entry.right]]) })
}
