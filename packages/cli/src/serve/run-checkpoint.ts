/**
 * A run's checkpoint as the served views read it: `runCheckpoint(runDir, missing)` reads
 * `<runDir>/checkpoint.safetensors` (values and metadata) or answers the HTTP failure — 404 when the
 * run has none yet (the message is the run and `missing`, which says what the view needs it for) or
 * when it vanished between the check and the read (a run being replaced), 500 for a file that cannot
 * be read. Never writes.
 */
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { readCheckpoint } from '@jepa-ts/train/node'
import { type HttpFailure, isMissingPathError, notFound } from './http.ts'

/** What `readCheckpoint` gives: the checkpoint's tensors and metadata. */
export type RunCheckpoint = Awaited<ReturnType<typeof readCheckpoint>>

export const runCheckpoint = async (runDir: string, missing: string): Promise<E.Either<HttpFailure, { readonly path: string; readonly file: RunCheckpoint }>> => {
  const path = join(runDir, 'checkpoint.safetensors')
  try {
    await stat(path)
  } catch (e) {
    if (isMissingPathError(e)) return E.left(notFound(`${runDir}: the run has no checkpoint.safetensors (yet), ${missing}`))
    throw e
  }
  try {
    return E.right({ path, file: await readCheckpoint(path) })
  } catch (e) {
    if (isMissingPathError((e as { cause?: unknown }).cause)) return E.left(notFound(`${path}: the checkpoint vanished`))
    return E.left({ status: 500, message: e instanceof Error ? e.message : String(e) })
  }
}
