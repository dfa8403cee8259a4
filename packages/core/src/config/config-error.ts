/**
 * Readable config errors: one issue per problem, each with the dotted path, what was expected and
 * what was found.
 *
 * Contract: `format()` gives one line per issue, prefixed by the source file when there is one:
 * `cfg.json: Expecting PositiveInt at model.patchSize but instead got: "16"`. Issues are built from
 * io-ts validation errors by our own reporter: a union whose members all failed at the union's own
 * position is reported once, as the union's name (`Expecting ("l2" | "smoothL1") at loss.energy`),
 * and identical lines are reported once.
 */
import type * as t from 'io-ts'
import { pathOf, showPath, showValue, tagOf } from './context-path.ts'

/** One problem in a config. */
export interface ConfigIssue {
  /** Dotted path from the root (`targets.0.scale`), `''` for the root itself. */
  readonly path: string
  /** The codec or rule that failed, in words (`PositiveInt`, `patchSize divides imageSize`). */
  readonly expected: string
  /** The offending value. */
  readonly actual: unknown
  /** A complete sentence naming the path. */
  readonly message: string
}

/** All problems found while decoding one config. */
export interface ConfigError {
  readonly _tag: 'ConfigError'
  /** The file the config came from, when it came from a file. */
  readonly source: string | undefined
  readonly issues: ReadonlyArray<ConfigIssue>
  /** One line per issue. */
  readonly format: () => string
}

/** Builds a ConfigError; `format` prefixes every line with `source: ` when a source is given. */
export const configError = (issues: ReadonlyArray<ConfigIssue>, source?: string): ConfigError => ({
  _tag: 'ConfigError',
  source,
  issues,
  format: () => issues.map((i) => (source === undefined ? i.message : `${source}: ${i.message}`)).join('\n'),
})

/** The standard sentence: `Expecting X at a.b but instead got: v`. */
export const expectingMessage = (expected: string, path: string, actual: unknown): string =>
  `Expecting ${expected} at ${showPath(path)} but instead got: ${showValue(actual)}`

const toIssue = (error: t.ValidationError): ConfigIssue => {
  let context = error.context
  let value = error.value
  // A union member that failed at the union's own position: report the union instead.
  if (error.message === undefined) {
    while (context.length >= 2 && tagOf(context[context.length - 2]!.type) === 'UnionType') {
      context = context.slice(0, -1)
      value = context[context.length - 1]!.actual
    }
  }
  const last = context[context.length - 1]
  const expected = last === undefined ? 'a value' : last.type.name
  const path = pathOf(context)
  return { path, expected, actual: value, message: error.message ?? expectingMessage(expected, path, value) }
}

/** Turns io-ts errors into issues, dropping exact duplicates. */
export const issuesOf = (errors: t.Errors): ConfigIssue[] => {
  const seen = new Set<string>()
  const out: ConfigIssue[] = []
  for (const e of errors) {
    const issue = toIssue(e)
    if (seen.has(issue.message)) continue
    seen.add(issue.message)
    out.push(issue)
  }
  return out
}

/** The error `decodeOrThrow` throws; `detail` keeps the structured issues. */
export class ConfigDecodeError extends Error {
  constructor(readonly detail: ConfigError) {
    super(detail.format())
    this.name = 'ConfigDecodeError'
  }
}
