/**
 * Input checks shared by the energies.
 *
 * Contract: every energy calls these before touching data; a failed check throws an `Error` whose
 * message starts with the energy's name and quotes the expected and the actual shapes, e.g.
 * `vicreg: za and zb must have the same shape [N, D]; got za [8, 4] and zb [8, 5]`. Only shapes and
 * option values are checked (no data is read, so no device sync happens here).
 */
import type * as tf from '@tensorflow/tfjs'

const fmt = (t: tf.Tensor): string => `[${t.shape.join(', ')}]`

/** Throws unless `a` and `b` have identical shapes. */
export const requireSameShape = (energy: string, names: readonly [string, string], a: tf.Tensor, b: tf.Tensor, what = ''): void => {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${energy}: ${names[0]} and ${names[1]} must have the same shape${what === '' ? '' : ` ${what}`}; got ${names[0]} ${fmt(a)} and ${names[1]} ${fmt(b)}`)
  }
}

/** Throws unless `t` has the given rank; `axes` names the axes for the message (e.g. `[N, D]`). */
export const requireRank = (energy: string, name: string, t: tf.Tensor, rank: number, axes: string): void => {
  if (t.rank !== rank) throw new Error(`${energy}: ${name} must have rank ${rank} ${axes}; got ${fmt(t)}`)
}

/** Throws unless axis 0 of `t` has at least `min` rows (`why` says what needs them). */
export const requireMinRows = (energy: string, name: string, t: tf.Tensor, min: number, why: string): void => {
  const n = t.shape[0] ?? 0
  if (n < min) throw new Error(`${energy}: ${name} needs N >= ${min} rows (${why}); got ${fmt(t)}`)
}

/** Throws unless every listed dim is positive (an empty axis makes a mean undefined). */
export const requireNonEmpty = (energy: string, name: string, t: tf.Tensor): void => {
  if (t.shape.some((d) => d === 0)) throw new Error(`${energy}: ${name} must not have an empty axis; got ${fmt(t)}`)
}

/** Throws unless `value` is a finite number satisfying `ok`; `expected` says what was wanted. */
export const requireOption = (energy: string, field: string, value: number, ok: (v: number) => boolean, expected: string): void => {
  if (!Number.isFinite(value) || !ok(value)) throw new Error(`${energy}: option ${field} must be ${expected}; got ${value}`)
}

/** The checks of a two-view energy on embeddings `[N, D]`: same shape, rank 2, at least `minRows` rows, D ≥ 1. */
export const requireViews = (energy: string, names: readonly [string, string], a: tf.Tensor, b: tf.Tensor, minRows: number, why: string): void => {
  requireSameShape(energy, names, a, b, '[N, D]')
  requireRank(energy, names[0], a, 2, '[N, D]')
  requireMinRows(energy, names[0], a, minRows, why)
  requireNonEmpty(energy, names[0], a)
}
