/**
 * `refine(codec, check, message)`: a cross-field rule on an already-decoded value, reported at the
 * value's path with a message that names the fields.
 *
 * Contract: the inner codec runs first; `check` only sees valid values. When `check` fails, one issue
 * is reported at the value's path. `message` is a string or a function of the value and `at`, where
 * `at('patchSize')` is the full dotted path of that field (`model.patchSize`), so the message reads
 * `model.patchSize (16) must divide model.imageSize (28)` wherever the codec is nested.
 *
 * @example
 * import { exact, refine, PositiveInt, decode } from '@jepa-ts/core'
 * import * as E from 'fp-ts/lib/Either.js'
 * const Model = refine(
 *   exact({ imageSize: PositiveInt, patchSize: PositiveInt }, {}, 'Model'),
 *   (m) => m.imageSize % m.patchSize === 0,
 *   (m, at) => `${at('patchSize')} (${m.patchSize}) must divide ${at('imageSize')} (${m.imageSize})`,
 *   'patchSize divides imageSize',
 * )
 * const r = decode(Model, { imageSize: 28, patchSize: 16 }, 'model')
 * console.assert(E.isLeft(r) && r.left.format() === 'model.patchSize (16) must divide model.imageSize (28)')
 */
import * as t from 'io-ts'
import { childPath, pathOf } from './context-path.ts'

/** A message, or a function of the value and of `at(field)` (the field's full path). */
export type RefineMessage<A> = string | ((value: A, at: (field: string) => string) => string)

/** Adds a check on the decoded value; `name` is the rule in words (the issue's `expected`). */
export const refine = <A, O>(
  codec: t.Type<A, O, unknown>,
  check: (value: A) => boolean,
  message: RefineMessage<A>,
  name?: string,
): t.Type<A, O, unknown> =>
  new t.Type<A, O, unknown>(
    name ?? (typeof message === 'string' ? message : `${codec.name} (refined)`),
    (u): u is A => codec.is(u) && check(u),
    (u, c) => {
      const inner = codec.validate(u, c)
      if (inner._tag === 'Left' || check(inner.right)) return inner
      const at = pathOf(c)
      const text = typeof message === 'string' ? message : message(inner.right, (field) => childPath(at, field))
      return t.failure(u, c, text)
    },
    codec.encode,
  )
