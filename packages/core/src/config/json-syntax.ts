/**
 * Locating JSON syntax errors as line and column, whatever the engine's message says.
 *
 * Contract: `parseJson(text)` is `JSON.parse` with a `Left` that carries the 1-based line and column
 * of the first offending character (the end of the text when input ends early) and a reason. The
 * position comes from a small scanner of RFC 8259 that stops at the first error, so it does not
 * depend on the engine's wording (V8 omits the position for some errors). Nesting deeper than
 * `maxDepth` (default `MAX_JSON_DEPTH`) is refused the same way, at the bracket that goes too deep,
 * before parsing: every consumer of the value (decoders, comparisons, `JSON.stringify`) recurses,
 * and a deeply nested text would overflow their stack.
 */
import * as E from 'fp-ts/lib/Either.js'

/** Where and why a JSON text is malformed. */
export interface JsonSyntaxError {
  readonly offset: number
  /** 1-based. */
  readonly line: number
  /** 1-based, in UTF-16 code units. */
  readonly column: number
  readonly reason: string
}

/** The offset of the first syntax error, or -1 if the text is valid JSON. */
export const firstSyntaxErrorOffset = (text: string): number => {
  let i = 0
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const fail = (): never => {
    throw i
  }
  const expect = (s: string): void => {
    for (const ch of s) {
      if (text[i] !== ch) fail()
      i++
    }
  }
  const string = (): void => {
    expect('"')
    for (;;) {
      if (i >= text.length) fail()
      const ch = text.charCodeAt(i)
      if (ch === 0x22) {
        i++
        return
      }
      if (ch < 0x20) fail()
      if (ch === 0x5c) {
        i++
        const esc = text[i]
        if (esc === 'u') {
          i++
          for (let k = 0; k < 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail()
            i++
          }
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i++
        else fail()
      } else i++
    }
  }
  const digits = (): void => {
    if (!/[0-9]/.test(text[i] ?? '')) fail()
    while (/[0-9]/.test(text[i] ?? '')) i++
  }
  const number = (): void => {
    if (text[i] === '-') i++
    if (text[i] === '0') i++
    else digits()
    if (text[i] === '.') {
      i++
      digits()
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++
      if (text[i] === '+' || text[i] === '-') i++
      digits()
    }
  }
  const value = (): void => {
    ws()
    const ch = text[i]
    if (ch === '{') {
      i++
      ws()
      if (text[i] === '}') {
        i++
        return
      }
      for (;;) {
        ws()
        string()
        ws()
        expect(':')
        value()
        ws()
        if (text[i] === ',') i++
        else if (text[i] === '}') {
          i++
          return
        } else fail()
      }
    } else if (ch === '[') {
      i++
      ws()
      if (text[i] === ']') {
        i++
        return
      }
      for (;;) {
        value()
        ws()
        if (text[i] === ',') i++
        else if (text[i] === ']') {
          i++
          return
        } else fail()
      }
    } else if (ch === '"') string()
    else if (ch === 't') expect('true')
    else if (ch === 'f') expect('false')
    else if (ch === 'n') expect('null')
    else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) number()
    else fail()
  }
  try {
    value()
    ws()
    if (i < text.length) fail()
    return -1
  } catch (at) {
    if (typeof at === 'number') return Math.min(at, text.length)
    throw at
  }
}

/** The deepest nesting of arrays and objects `parseJson` accepts by default. */
export const MAX_JSON_DEPTH = 256

/** The offset of the first `[` or `{` nested deeper than `maxDepth` (outside strings), or -1. */
export const tooDeepOffset = (text: string, maxDepth: number): number => {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (inString) {
      if (ch === 0x5c) i++
      else if (ch === 0x22) inString = false
    } else if (ch === 0x22) inString = true
    else if (ch === 0x5b || ch === 0x7b) {
      depth++
      if (depth > maxDepth) return i
    } else if (ch === 0x5d || ch === 0x7d) depth--
  }
  return -1
}

/** 1-based line and column of an offset. */
export const lineColumn = (text: string, offset: number): { line: number; column: number } => {
  let line = 1
  let lineStart = 0
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === '\n') {
      line++
      lineStart = k + 1
    }
  }
  return { line, column: offset - lineStart + 1 }
}

/** `JSON.parse` with a located error. */
export const parseJson = (text: string, maxDepth: number = MAX_JSON_DEPTH): E.Either<JsonSyntaxError, unknown> => {
  const deep = tooDeepOffset(text, maxDepth)
  if (deep >= 0) return E.left({ offset: deep, ...lineColumn(text, deep), reason: `nesting deeper than ${maxDepth} levels` })
  try {
    return E.right(JSON.parse(text) as unknown)
  } catch (e) {
    const engineMessage = e instanceof Error ? e.message : String(e)
    const engineOffset = /at position (\d+)/.exec(engineMessage)
    const scanned = firstSyntaxErrorOffset(text)
    const offset = scanned >= 0 ? scanned : engineOffset !== null ? Number(engineOffset[1]) : text.length
    const reason =
      offset >= text.length
        ? 'unexpected end of input'
        : `${engineMessage.replace(/,? ".*" is not valid JSON$/s, '').replace(/ (in JSON )?at position \d+.*$/s, '')}`
    return E.left({ offset, ...lineColumn(text, offset), reason })
  }
}
