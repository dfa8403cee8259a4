/**
 * The run config of `jepa train` / `jepa compare`: a JSON file decoded once, at the edge.
 *
 *   {
 *     "family": "ijepa",                       a name in the family registry, or a family module's
 *                                              path relative to this file ("./my-family.ts", family-module.ts)
 *     "model": { … },                          the family's own config (its codec, errors at model.*)
 *     "train": {
 *       "batchSize": 64,
 *       "steps": 2000,                         and/or "wallClockSeconds": 600 (whichever ends first)
 *       "scheduleSteps": 2000,                 LR/WD/EMA schedule length (default: steps; required without steps)
 *       "seed": 0,                             the run key is keyOf(seed)
 *       "checkpointEvery": 200,
 *       "monitorEvery": 100,                   RankMe + collapse std on monitorImages train images (0 = off)
 *       "monitorImages": 256
 *     }
 *   }
 *
 * Contract: `decodeRunConfig(json, registry, source)` returns every problem it finds — in the model
 * and the train section together; a missing section by name — as a ConfigError whose lines name the file and the field (`cfg.json: Expecting PositiveInt at
 * train.batchSize but instead got: "64"`, `unknown key "stpes" at train (did you mean "steps"?)`,
 * `Expecting one of "ijepa" | "linear-ae" at family …`). The result carries the built `Family`
 * and the config as JSON, stored in checkpoints and compared on resume: the family, the model
 * section as written and the decoded train section with the budget (`steps`, `wallClockSeconds`)
 * left out and `scheduleSteps` filled in — a run may be resumed under another budget, but not
 * with other schedules.
 */
import { dirname, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { type ConfigError, configError, decode, exact, expectingMessage, refine, withDefaults, NonNegativeInt, PositiveInt, PositiveNumber } from '@jepa-ts/core'
import { readJsonConfig } from '@jepa-ts/core/node'
import type { Family } from '@jepa-ts/train'
import type { JsonValue } from '@jepa-ts/train/node'
import { type FamilyRegistry, defaultFamilies } from './commands/families.ts'
import { withFamilyModule } from './family-module.ts'

/** The `train` section. */
export const TrainSectionCodec = refine(
  withDefaults(
    exact(
      { batchSize: PositiveInt },
      { steps: PositiveInt, wallClockSeconds: PositiveNumber, scheduleSteps: PositiveInt, seed: NonNegativeInt, checkpointEvery: PositiveInt, monitorEvery: NonNegativeInt, monitorImages: PositiveInt },
      'TrainSection',
    ),
    { seed: 0, checkpointEvery: 100, monitorEvery: 100, monitorImages: 256 },
    'TrainSection',
  ),
  (s) => s.steps !== undefined || (s.wallClockSeconds !== undefined && s.scheduleSteps !== undefined),
  (s, at) => s.steps === undefined && s.wallClockSeconds === undefined
    ? `${at('steps')} or ${at('wallClockSeconds')} must be given (the budget)`
    : `${at('scheduleSteps')} must be given when the budget is ${at('wallClockSeconds')} only (the schedules need a length)`,
  'a budget',
)

/** The decoded `train` section. */
export type TrainSection = t.TypeOf<typeof TrainSectionCodec>

const RunShape = exact({ family: t.string, model: t.unknown, train: t.unknown }, {}, 'RunConfig')

/** A decoded run config. */
export interface RunConfig {
  readonly familyName: string
  readonly family: Family
  readonly train: TrainSection
  /** Steps of the family's schedules. */
  readonly scheduleSteps: number
  /** The file's JSON, as stored in checkpoints. */
  readonly json: JsonValue
}

/** Overrides from the command line (`--steps`, `--seconds`; `jepa compare --seeds` sets `seed`). */
export interface BudgetOverride {
  readonly steps?: number
  readonly wallClockSeconds?: number
  /** Replaces `train.seed`. */
  readonly seed?: number
}

const toJson = (value: unknown): JsonValue => JSON.parse(JSON.stringify(value)) as JsonValue

/** Applies a budget override to the raw `train` section (so it is validated like the file). */
const withBudget = (train: unknown, budget: BudgetOverride): unknown => {
  if (budget.seed !== undefined && typeof train === 'object' && train !== null && !Array.isArray(train)) return withBudget({ ...train, seed: budget.seed }, { ...budget, seed: undefined })
  if (budget.steps === undefined && budget.wallClockSeconds === undefined) return train
  if (typeof train !== 'object' || train === null || Array.isArray(train)) return train
  const rest = Object.fromEntries(Object.entries(train).filter(([k]) => k !== 'steps' && k !== 'wallClockSeconds'))
  const schedule = (train as { scheduleSteps?: unknown; steps?: unknown }).scheduleSteps ?? (train as { steps?: unknown }).steps
  return {
    ...rest,
    ...(budget.steps === undefined ? {} : { steps: budget.steps }),
    ...(budget.wallClockSeconds === undefined ? {} : { wallClockSeconds: budget.wallClockSeconds }),
    ...(schedule === undefined || budget.steps !== undefined ? {} : { scheduleSteps: schedule }),
  }
}

/** Decodes a run config value (see the module contract). */
export const decodeRunConfig = (input: unknown, registry: FamilyRegistry = defaultFamilies, source?: string, budget: BudgetOverride = {}): E.Either<ConfigError, RunConfig> => {
  const shape = decode(RunShape, input, '', source)
  if (E.isLeft(shape)) return shape
  const entry = registry.get(shape.right.family)
  const known = registry.size === 0 ? '(no families registered)' : [...registry.keys()].map((k) => JSON.stringify(k)).join(' | ')
  const trainInput = withBudget(shape.right.train, budget)
  const train = decode(TrainSectionCodec, trainInput, 'train', source)
  const trainIssues = E.isLeft(train) ? train.left.issues : []
  if (entry === undefined) {
    const issue = { path: 'family', expected: known, actual: shape.right.family, message: `${expectingMessage(`one of ${known}`, 'family', shape.right.family)} (a family outside this build is named by its module's path, e.g. "./my-family.ts")` }
    return E.left(configError([issue, ...trainIssues], source))
  }
  if (shape.right.model === undefined) {
    const issue = { path: 'model', expected: `the ${entry.name} model section`, actual: undefined, message: `model is missing: give the ${entry.name} model section (\`jepa families ${entry.name}\` prints a complete config)` }
    return E.left(configError([issue, ...trainIssues], source))
  }
  // The model is built even when the train section is wrong, so that every error is reported at once.
  const scheduleSteps = E.isRight(train) ? train.right.scheduleSteps ?? train.right.steps ?? 1 : 1
  let family: E.Either<ConfigError, Family>
  try {
    family = entry.build(shape.right.model, 'model', { totalSteps: scheduleSteps })
  } catch (e) {
    const message = `cannot build family "${entry.name}" from model: ${e instanceof Error ? e.message : String(e)}`
    family = E.left(configError([{ path: 'model', expected: 'a buildable model', actual: shape.right.model, message }], source))
  }
  if (E.isLeft(family) || E.isLeft(train)) {
    return E.left(configError([...(E.isLeft(family) ? family.left.issues : []), ...trainIssues], source))
  }
  const { steps: _steps, wallClockSeconds: _seconds, ...rest } = train.right
  const json = toJson({ family: shape.right.family, model: shape.right.model, train: { ...rest, scheduleSteps } })
  return E.right({ familyName: entry.name, family: family.right, train: train.right, scheduleSteps, json })
}

/**
 * Decodes a run config whose `family` may be a module path (resolved against `baseDir`; see
 * family-module.ts), importing the module first.
 */
export const decodeRunConfigWithModules = async (input: unknown, registry: FamilyRegistry, baseDir: string, source?: string, budget: BudgetOverride = {}): Promise<E.Either<ConfigError, RunConfig>> => {
  const resolved = await withFamilyModule(input, registry, baseDir, source)
  return E.isLeft(resolved) ? resolved : decodeRunConfig(resolved.right.input, resolved.right.registry, source, budget)
}

/** Reads and decodes a run config file; errors name the file. A module-path family is resolved relative to the file. */
export const readRunConfig = async (path: string, registry: FamilyRegistry = defaultFamilies, budget: BudgetOverride = {}): Promise<E.Either<ConfigError, RunConfig>> => {
  const raw = readJsonConfig(path, t.unknown)
  return E.isLeft(raw) ? raw : decodeRunConfigWithModules(raw.right, registry, dirname(resolve(path)), path, budget)
}
