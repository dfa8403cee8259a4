/**
 * One run at a time per run directory: `<dir>/run.lock` holds the JSON `{ pid, host, startedAt }`
 * of the process training there.
 *
 * Contract of `lockRunDir(paths)`: creates the lock file exclusively (`wx`) and returns its release
 * function (which deletes the file only while it still names this process). When the file exists:
 * - it names a live process on this host (including this one) → a `RunLockError` naming the pid,
 *   its start time and the lock file;
 * - it names a process that no longer exists on this host, or is unreadable (a crash while it was
 *   written) → the lock is stale: it is replaced, and `stale` describes what was replaced;
 * - it names another host → refused (liveness cannot be checked from here): delete it by hand.
 * A SIGKILLed run leaves its lock behind; the next run recovers it as stale. A pid reused by an
 * unrelated process reads as live (refused, with a message that names the pid to check).
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import type { RunPaths } from './run-dir.ts'

/** Another run holds the run directory. */
export class RunLockError extends Error {
  constructor(readonly file: string, message: string) {
    super(message)
    this.name = 'RunLockError'
  }
}

/** The lock held by a run. */
export interface RunLock {
  readonly path: string
  /** What a stale lock that was replaced said, when there was one. */
  readonly stale: string | undefined
  release(): void
}

interface LockOwner {
  readonly pid: number
  readonly host: string
  readonly startedAt: string
}

/** The lock file of a run directory. */
export const lockPath = (paths: RunPaths): string => join(paths.dir, 'run.lock')

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as { code?: unknown }).code === 'EPERM'
  }
}

const readOwner = (path: string): LockOwner | undefined => {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>
    return typeof v.pid === 'number' && Number.isSafeInteger(v.pid) && v.pid > 0 && typeof v.host === 'string' && typeof v.startedAt === 'string'
      ? { pid: v.pid, host: v.host, startedAt: v.startedAt }
      : undefined
  } catch {
    return undefined
  }
}

const tryCreate = (path: string, owner: LockOwner): boolean => {
  let fd: number
  try {
    fd = openSync(path, 'wx')
  } catch (e) {
    if ((e as { code?: unknown }).code === 'EEXIST') return false
    throw e
  }
  try {
    writeSync(fd, JSON.stringify(owner))
  } finally {
    closeSync(fd)
  }
  return true
}

/** Takes the run directory's lock (see the module contract). */
export const lockRunDir = (paths: RunPaths): RunLock => {
  const path = lockPath(paths)
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }
  let stale: string | undefined
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(path, me)) {
      return {
        path,
        stale,
        release: () => {
          if (readOwner(path)?.pid !== me.pid) return
          try { unlinkSync(path) } catch { /* already removed */ }
        },
      }
    }
    const owner = readOwner(path)
    if (owner !== undefined && owner.host !== me.host) {
      throw new RunLockError(path, `${paths.dir} is in use by process ${owner.pid} on host ${owner.host} (since ${owner.startedAt}); if that run is over, delete ${path}`)
    }
    if (owner !== undefined && isAlive(owner.pid)) {
      const who = owner.pid === process.pid ? 'this process' : `process ${owner.pid}`
      throw new RunLockError(path, `${paths.dir} is in use by ${who} (a run started ${owner.startedAt}; lock ${path}): wait for it, stop it, or choose another output directory`)
    }
    stale = owner === undefined ? `an unreadable lock file ${path}` : `the lock of process ${owner.pid}, which is no longer running`
    try { unlinkSync(path) } catch { /* another run recovered it first */ }
  }
  throw new RunLockError(path, `cannot take the lock ${path}: another run keeps taking it`)
}
