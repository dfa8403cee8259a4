/**
 * The files of one training run, all in one directory:
 *
 *   <outDir>/checkpoint.safetensors        the latest good checkpoint (always complete: written atomically)
 *   <outDir>/checkpoint.prev.safetensors   the one before it (a hard link, kept when a new one is written)
 *   <outDir>/metrics.jsonl                 one JSON object per step
 *   <outDir>/run.lock                      while a run trains here: its pid (see `run-lock.ts`)
 *
 * Contract: `prepareRunDir(outDir)` creates the directory (and parents, one level at a time from the
 * root, so a path the system refuses fails at once instead of looping) and proves it writable by
 * creating and removing a probe file, before any training starts; when it cannot, it throws a
 * `RunDirError` naming the directory and the system's reason (an empty path, a path under a regular
 * file, a read-only file system, missing permissions). It never touches existing run files.
 * `removeDebris(paths)` deletes the temp files an interrupted write leaves behind
 * (`.checkpoint.safetensors.*.tmp`, `checkpoint.prev.safetensors.*.tmp`, `.metrics.jsonl.*.tmp`,
 * `.write-probe.*`); call it only while holding the run's lock.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync, unlinkSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

/** The paths of a run's files. */
export interface RunPaths {
  readonly dir: string
  readonly checkpoint: string
  readonly previousCheckpoint: string
  readonly metrics: string
}

/** A run directory that cannot be created or written. */
export class RunDirError extends Error {
  constructor(readonly dir: string, reason: string) {
    super(`output directory ${dir === '' ? '""' : dir} is not writable: ${reason}`)
    this.name = 'RunDirError'
  }
}

/** The file names inside a run directory. */
export const runPaths = (outDir: string): RunPaths => {
  const dir = resolve(outDir)
  return {
    dir,
    checkpoint: join(dir, 'checkpoint.safetensors'),
    previousCheckpoint: join(dir, 'checkpoint.prev.safetensors'),
    metrics: join(dir, 'metrics.jsonl'),
  }
}

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** `mkdir -p`, one level at a time: each level is created or must already be a directory. */
const makeDirectories = (dir: string): void => {
  const parent = dirname(dir)
  if (parent !== dir) {
    let isDir = false
    try {
      isDir = statSync(parent).isDirectory()
    } catch {
      makeDirectories(parent)
      isDir = true
    }
    if (!isDir) throw new Error(`${parent} is not a directory`)
  }
  try {
    mkdirSync(dir)
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'EEXIST') throw e
    if (!statSync(dir).isDirectory()) throw new Error(`${dir} exists and is not a directory`)
  }
}

/** Creates `outDir` if needed and checks that files can be created in it; throws a RunDirError otherwise. */
export const prepareRunDir = (outDir: string): RunPaths => {
  if (outDir.trim() === '') throw new RunDirError(outDir, 'an empty path names no directory (give one, e.g. --out runs/my-run)')
  const paths = runPaths(outDir)
  try {
    makeDirectories(paths.dir)
  } catch (e) {
    throw new RunDirError(paths.dir, reasonOf(e))
  }
  const probe = join(paths.dir, `.write-probe.${process.pid}`)
  try {
    writeFileSync(probe, '')
    unlinkSync(probe)
  } catch (e) {
    throw new RunDirError(paths.dir, reasonOf(e))
  }
  return paths
}

const DEBRIS = [/^\.checkpoint\.safetensors\..+\.tmp$/, /^checkpoint\.prev\.safetensors\..+\.tmp$/, /^\.metrics\.jsonl\..+\.tmp$/, /^\.write-probe\.\d+$/]

/** Deletes what interrupted writes left in the run directory; returns the names removed. */
export const removeDebris = (paths: RunPaths): string[] => {
  const removed: string[] = []
  for (const name of readdirSync(paths.dir)) {
    if (!DEBRIS.some((pattern) => pattern.test(name))) continue
    try {
      unlinkSync(join(paths.dir, name))
      removed.push(name)
    } catch {
      // gone already, or not ours to remove: the next run tries again
    }
  }
  return removed
}
