/**
 * The files of one training run, all in one directory:
 *
 *   <outDir>/checkpoint.safetensors        the latest good checkpoint (always complete: written atomically)
 *   <outDir>/checkpoint.prev.safetensors   the one before it (a hard link, kept when a new one is written)
 *   <outDir>/metrics.jsonl                 one JSON object per step
 *
 * Contract: `prepareRunDir(outDir)` creates the directory (and parents) and proves it writable by
 * creating and removing a probe file, before any training starts; when it cannot, it throws a
 * `RunDirError` naming the directory and the system's reason (a path under a regular file, a
 * read-only file system, missing permissions). It never touches existing run files.
 */
import { mkdirSync, writeFileSync, unlinkSync } from 'node:fs'
import { join, resolve } from 'node:path'

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
    super(`output directory ${dir} is not writable: ${reason}`)
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

/** Creates `outDir` if needed and checks that files can be created in it; throws a RunDirError otherwise. */
export const prepareRunDir = (outDir: string): RunPaths => {
  const paths = runPaths(outDir)
  try {
    mkdirSync(paths.dir, { recursive: true })
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
