/**
 * Construction-time checks of the numbers in a model config (`vit`, `predictor`).
 *
 * Contract: a malformed number (a negative depth, a fractional patch size, dropPathProb ≥ 1) is a
 * programming error, thrown at construction as a RangeError naming `config.<field>` and the value.
 * Cross-field rules (heads divide dim, patch divides image) are not checked here: they are init
 * errors naming the layer path. Absent optional fields are skipped; an array field (imageSize,
 * grid) is checked entry by entry.
 *
 * @example
 * import { checkNumbers } from '@jepa-ts/nn'
 * checkNumbers('myModel', { depth: 2, imageSize: [32, 48] }, { depth: 'count', imageSize: 'positive' }) // passes
 * // checkNumbers('myModel', { depth: -1 }, { depth: 'count' }) throws "myModel: config.depth must be a non-negative integer, got -1"
 */

/** What a field must be. */
export type NumberRule = 'positive' | 'count' | 'prob' | 'ratio'

const RULES: Record<NumberRule, readonly [string, (x: number) => boolean]> = {
  positive: ['a positive integer', (x) => Number.isInteger(x) && x >= 1],
  count: ['a non-negative integer', (x) => Number.isInteger(x) && x >= 0],
  prob: ['a probability in [0, 1)', (x) => x >= 0 && x < 1],
  ratio: ['a positive number', (x) => Number.isFinite(x) && x > 0],
}

/** Throws a RangeError naming `${who}: config.<field>` for the first field that breaks its rule. */
export const checkNumbers = (who: string, config: object, rules: Readonly<Record<string, NumberRule>>): void => {
  for (const [field, rule] of Object.entries(rules)) {
    const value: unknown = (config as Record<string, unknown>)[field]
    if (value === undefined) continue
    const values = Array.isArray(value) ? (value as unknown[]) : [value]
    const [what, ok] = RULES[rule]
    if (values.length === 0 || !values.every((x) => typeof x === 'number' && ok(x))) {
      throw new RangeError(`${who}: config.${field} must be ${what}${Array.isArray(value) ? ' (each entry)' : ''}, got ${JSON.stringify(value)}`)
    }
  }
}

