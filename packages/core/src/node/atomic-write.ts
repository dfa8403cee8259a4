/**
 * `atomicWriteFile(path, bytes)`: replace a file so that readers see the old bytes or the new ones,
 * never a half-written file — for params, checkpoints and results.
 *
 * Contract: writes to a fresh temp file in the target's directory (`.<name>.<pid>.<random>.tmp`),
 * fsyncs it, renames it over `path`, then fsyncs the directory so the rename survives a crash. An
 * existing target keeps its permission bits. If any step before the rename fails, the temp file is
 * removed, an existing target is left untouched, and the promise rejects with an Error naming `path`
 * (the system error is its `cause`). The directory must exist.
 *
 * @example
 * import { atomicWriteFile } from '@jepa-ts/core/node'
 * import { readFileSync, mkdtempSync } from 'node:fs'
 * import { join } from 'node:path'
 * import { tmpdir } from 'node:os'
 * const file = join(mkdtempSync(join(tmpdir(), 'atomic-')), 'out.bin')
 * await atomicWriteFile(file, new Uint8Array([1, 2, 3]))
 * console.assert(readFileSync(file).length === 3)
 */
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { basename, dirname, join, resolve } from 'node:path'

/** Writes all of `bytes` at the handle's position; the default loops over partial writes. */
export type WriteAll = (handle: FileHandle, bytes: Uint8Array) => Promise<void>

const CHUNK_BYTES = 1 << 26

const writeAllDefault: WriteAll = async (handle, bytes) => {
  let offset = 0
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, offset, Math.min(bytes.byteLength - offset, CHUNK_BYTES))
    if (bytesWritten <= 0) throw new Error(`write made no progress at byte ${offset} of ${bytes.byteLength}`)
    offset += bytesWritten
  }
}

const codeOf = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** fsync a directory; platforms that cannot (EISDIR, EINVAL, EPERM) are not an error. */
const syncDirectory = async (dir: string): Promise<void> => {
  let handle: FileHandle | undefined
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch (e) {
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EBADF', 'EACCES'].includes(codeOf(e) ?? '')) throw e
  } finally {
    await handle?.close()
  }
}

/** Atomically replaces `path` with `bytes`. `options.writeAll` exists for failure-injection tests. */
export const atomicWriteFile = async (path: string, bytes: Uint8Array, options: { readonly writeAll?: WriteAll } = {}): Promise<void> => {
  const writeAll = options.writeAll ?? writeAllDefault
  const target = resolve(path)
  const dir = dirname(target)
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  let mode: number | undefined
  try {
    mode = (await stat(target)).mode & 0o7777
  } catch {
    mode = undefined
  }
  let handle: FileHandle | undefined
  let tempCreated = false
  try {
    handle = await open(temp, 'wx', 0o666)
    tempCreated = true
    if (mode !== undefined) await handle.chmod(mode)
    await writeAll(handle, bytes)
    await handle.sync()
    await handle.close()
    handle = undefined
    await rename(temp, target)
    tempCreated = false
  } catch (e) {
    if (handle !== undefined) await handle.close().catch(() => undefined)
    if (tempCreated) await unlink(temp).catch(() => undefined)
    const reason = e instanceof Error ? e.message : String(e)
    throw new Error(`atomicWriteFile: cannot write ${path}: ${reason}`, { cause: e })
  }
  try {
    await syncDirectory(dir)
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e)
    throw new Error(`atomicWriteFile: wrote ${path} but could not fsync its directory ${dir}: ${reason}`, { cause: e })
  }
}
