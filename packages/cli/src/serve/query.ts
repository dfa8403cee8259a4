/**
 * Query parameters, checked: each reader returns the value or a 400 whose message names the
 * parameter, the range expected and what came (`k: expected an integer in 1..32, got "-3"`).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type HttpFailure, badRequest } from './http.ts'

/** An integer parameter in [min, max]; `fallback` when absent (a 400 when absent and no fallback). */
export const intParam = (params: URLSearchParams, name: string, min: number, max: number, fallback?: number): E.Either<HttpFailure, number> => {
  const text = params.get(name)
  if (text === null) return fallback === undefined ? E.left(badRequest(`${name}: required (an integer in ${min}..${max})`)) : E.right(fallback)
  if (!/^\d{1,15}$/.test(text) || Number(text) < min || Number(text) > max) return E.left(badRequest(`${name}: expected an integer in ${min}..${max}, got ${JSON.stringify(text)}`))
  return E.right(Number(text))
}

/** A comma-separated list of at most `maxCount` integers in [min, max]; undefined when absent. */
export const intListParam = (params: URLSearchParams, name: string, min: number, max: number, maxCount: number): E.Either<HttpFailure, number[] | undefined> => {
  const text = params.get(name)
  if (text === null) return E.right(undefined)
  const parts = text.split(',')
  if (parts.length > maxCount) return E.left(badRequest(`${name}: at most ${maxCount} values, got ${parts.length}`))
  const values: number[] = []
  for (const p of parts) {
    if (!/^\d{1,15}$/.test(p) || Number(p) < min || Number(p) > max) return E.left(badRequest(`${name}: expected integers in ${min}..${max} separated by commas, got ${JSON.stringify(p)} in ${JSON.stringify(text.slice(0, 100))}`))
    values.push(Number(p))
  }
  return E.right(values)
}

/** One of `choices`. */
export const choiceParam = <C extends string>(params: URLSearchParams, name: string, choices: readonly C[], fallback?: C): E.Either<HttpFailure, C> => {
  const text = params.get(name)
  if (text === null) return fallback === undefined ? E.left(badRequest(`${name}: required (one of ${choices.join(', ')})`)) : E.right(fallback)
  const found = choices.find((c) => c === text)
  return found === undefined ? E.left(badRequest(`${name}: expected one of ${choices.join(', ')}, got ${JSON.stringify(text.slice(0, 100))}`)) : E.right(found)
}

/** A required string parameter (a run id), at most 1000 characters. */
export const stringParam = (params: URLSearchParams, name: string): E.Either<HttpFailure, string> => {
  const text = params.get(name)
  if (text === null || text === '') return E.left(badRequest(`${name}: required`))
  if (text.length > 1000) return E.left(badRequest(`${name}: at most 1000 characters, got ${text.length}`))
  return E.right(text)
}
