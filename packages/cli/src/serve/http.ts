/**
 * The server's small HTTP vocabulary: a failure is data (`HttpFailure`: a 4xx/5xx status and a
 * message that names the parameter or path and what was expected), and responses are written by
 * `sendJson`, `sendBytes` and `sendFailure` only (no other module touches `ServerResponse`).
 */
import type { ServerResponse } from 'node:http'

/** A request the server refuses, with the status and the message the client sees. */
export interface HttpFailure {
  readonly status: 400 | 403 | 404 | 405 | 500
  readonly message: string
}

export const badRequest = (message: string): HttpFailure => ({ status: 400, message })
export const forbidden = (message: string): HttpFailure => ({ status: 403, message })
export const notFound = (message: string): HttpFailure => ({ status: 404, message })

/** What a handler produces: a JSON value, or bytes with their content type. */
export type Reply =
  | { readonly kind: 'json'; readonly body: unknown }
  | { readonly kind: 'bytes'; readonly body: Uint8Array; readonly contentType: string }

const baseHeaders = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const

export const sendJson = (res: ServerResponse, status: number, body: unknown, head = false): void => {
  const text = JSON.stringify(body)
  res.writeHead(status, { ...baseHeaders, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(head ? undefined : text)
}

export const sendBytes = (res: ServerResponse, body: Uint8Array, contentType: string, head = false): void => {
  res.writeHead(200, { ...baseHeaders, 'content-type': contentType, 'content-length': body.byteLength })
  res.end(head ? undefined : body)
}

export const sendFailure = (res: ServerResponse, failure: HttpFailure, head = false): void => sendJson(res, failure.status, { error: failure.message }, head)

export const sendReply = (res: ServerResponse, reply: Reply, head = false): void =>
  reply.kind === 'json' ? sendJson(res, 200, reply.body, head) : sendBytes(res, reply.body, reply.contentType, head)

/** True for a node error with one of the codes of a path that vanished or never was. */
export const isMissingPathError = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && 'code' in e && (e.code === 'ENOENT' || e.code === 'ENOTDIR')
