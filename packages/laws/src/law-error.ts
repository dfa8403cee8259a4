/**
 * How a law reports: one property per law, run by fast-check with shrinking, turned into a readable
 * `LawViolation` when it fails.
 *
 * Contract: `holds(law, subject, arbitrary, predicate, options)` runs `predicate` on generated cases;
 * the predicate throws `Broken(detail)` (or any error) when the law does not hold for that case.
 * fast-check shrinks the case; the thrown `LawViolation`'s message names the law, the subject (a
 * layer path, a mask strategy, a family), the detail of the shrunk failure, the shrunk case itself
 * and the seed and path that replay it. Every check function in this package returns a
 * `LawReport` on success and throws a `LawViolation` on the first law that fails.
 */
import fc from 'fast-check'

/** Thrown by a law's predicate: what went wrong for this case, in words (with paths and numbers). */
export class Broken extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'Broken'
  }
}

/** Throws `Broken(detail())` unless `ok`. */
export const ensure = (ok: boolean, detail: () => string): void => {
  if (!ok) throw new Broken(detail())
}

/** A law that does not hold, with the shrunk counterexample. */
export class LawViolation extends Error {
  constructor(
    /** The law's id, e.g. `batch-independence`. */
    readonly law: string,
    /** What was checked: `layer "attn"`, `mask strategy "multi-block"`, `family "ijepa"`. */
    readonly subject: string,
    /** Why the shrunk case fails. */
    readonly detail: string,
    /** The shrunk case, as text. */
    readonly counterexample: string,
    /** Replays the failure: `{ seed, path }` for fast-check. */
    readonly replay: { readonly seed: number; readonly path: string | undefined },
    readonly shrinks: number,
  ) {
    super(
      `law "${law}" fails for ${subject}: ${detail}\n` +
        `  shrunk counterexample (${shrinks} shrink${shrinks === 1 ? '' : 's'}): ${counterexample}\n` +
        `  replay: seed ${replay.seed}${replay.path === undefined ? '' : `, path "${replay.path}"`}`,
    )
    this.name = 'LawViolation'
  }
}

/** What one law did: how many cases it ran, or why it was skipped. */
export interface LawResult {
  readonly law: string
  readonly runs: number
  /** Present when the law does not apply to this subject (e.g. EMA laws for a family without a target). */
  readonly skipped?: string
}

/** What a check function returns when every law holds. */
export interface LawReport {
  readonly subject: string
  readonly laws: readonly LawResult[]
}

/** Options every check function accepts. */
export interface RunOptions {
  /** Cases per law (each check function has its own default). */
  readonly numRuns?: number
  /** fast-check seed (default: fast-check's random seed, printed on failure). */
  readonly seed?: number
}

const reason = (e: unknown): string => (e instanceof Broken ? e.message : e instanceof Error ? `threw ${e.name}: ${e.message}` : `threw ${String(e)}`)

/**
 * Runs one law. `show` renders a case for the counterexample (default: fast-check's stringify).
 * Throws `LawViolation` with the shrunk case when the law fails.
 */
export const holds = <T>(
  law: string,
  subject: string,
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => void,
  options: RunOptions & { readonly numRuns: number; readonly show?: (value: T) => string },
): LawResult => {
  const details = fc.check(
    fc.property(arbitrary, (v) => {
      predicate(v)
    }),
    { numRuns: options.numRuns, ...(options.seed === undefined ? {} : { seed: options.seed }) },
  )
  if (details.failed) {
    const cx = details.counterexample
    // The error the shrunk case threw.
    const err = details.errorInstance
    const shown = cx === null ? '<none>' : options.show !== undefined ? options.show(cx[0]) : fc.stringify(cx[0])
    throw new LawViolation(law, subject, reason(err), shown, { seed: details.seed, path: details.counterexamplePath ?? undefined }, details.numShrinks)
  }
  return { law, runs: details.numRuns }
}
