/**
 * `resolveUnder(root, relative)`: the real path of `relative` inside the runs folder, or the
 * failure to answer. This is the only way a request names a file or run directory.
 *
 * Contract: `relative` is a `/`-separated path as the client sent it (already percent-decoded
 * once by the caller; a `%` left in it is decoded again and refused if that changes anything, so
 * double-encoded `%252e%252e` cannot slip through). Refused with 400: an empty segment list is fine
 * (the root itself), but NUL bytes, backslashes, absolute paths and drive letters are not; with 403:
 * any `..` segment, and any path whose real path (symlinks followed) leaves the real runs folder;
 * with 404: a path that does not exist (or vanished while being resolved).
 */
import { realpath } from 'node:fs/promises'
import { isAbsolute, join, sep } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type HttpFailure, badRequest, forbidden, isMissingPathError, notFound } from './http.ts'

/** The segments of a client path, or why it is refused (before touching the file system). */
export const pathSegments = (relative: string): E.Either<HttpFailure, string[]> => {
  if (relative.includes('\0')) return E.left(badRequest(`path: NUL bytes are not allowed in ${JSON.stringify(relative)}`))
  if (relative.includes('\\')) return E.left(badRequest(`path: backslashes are not allowed in ${JSON.stringify(relative)}`))
  if (relative.includes('%')) {
    let again: string
    try {
      again = decodeURIComponent(relative)
    } catch {
      return E.left(badRequest(`path: ${JSON.stringify(relative)} is not a valid percent-encoded path`))
    }
    if (again !== relative) return E.left(badRequest(`path: ${JSON.stringify(relative)} is encoded twice`))
  }
  if (isAbsolute(relative) || /^[A-Za-z]:/.test(relative)) return E.left(badRequest(`path: expected a path relative to the runs folder, got ${JSON.stringify(relative)}`))
  const segments = relative.split('/').filter((s) => s !== '' && s !== '.')
  if (segments.includes('..')) return E.left(forbidden(`path: ${JSON.stringify(relative)} leaves the runs folder`))
  return E.right(segments)
}

/** The real path of `relative` under the real path `realRoot`, or the failure. */
export const resolveUnder = async (realRoot: string, relative: string): Promise<E.Either<HttpFailure, string>> => {
  const segments = pathSegments(relative)
  if (E.isLeft(segments)) return segments
  let real: string
  try {
    real = await realpath(join(realRoot, ...segments.right))
  } catch (e) {
    if (isMissingPathError(e)) return E.left(notFound(`${relative || '.'}: no such file or directory in the runs folder`))
    throw e
  }
  if (real !== realRoot && !real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)) {
    return E.left(forbidden(`${relative}: resolves outside the runs folder`))
  }
  return E.right(real)
}
