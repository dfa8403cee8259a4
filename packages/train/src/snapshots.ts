/**
 * Snapshots: copies of a run's state written at chosen fractions of its budget, so a run can be
 * evaluated along the way (learning curves) without stopping it.
 *
 *   <run dir>/snapshots/step-<k>.safetensors     the checkpoint format (`checkpointBytes`), step k
 *
 * Contract: a snapshot is written atomically and never replaces the run's checkpoint; resume never
 * reads one. `dueSnapshots(fractions, done, progress)` says which of the wanted fractions (each in
 * (0, 1)) the run has just reached; `listSnapshots(dir)` lists a run's snapshots by step, ascending.
 * The fraction of a budget is elapsed/seconds for a wall-clock budget and step/steps for a step
 * budget (the larger of the two when both are given).
 */
import { mkdir, readdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { atomicWriteFile } from '@jepa-ts/core/node'
import type { TrainState } from './family.ts'
import { type CheckpointMeta, checkpointBytesAsync } from './checkpoint.ts'

/** The folder of a run's snapshots. */
export const snapshotDir = (runDir: string): string => join(runDir, 'snapshots')

/** The file of the snapshot at step `step`. */
export const snapshotPath = (runDir: string, step: number): string => join(snapshotDir(runDir), `step-${step}.safetensors`)

/** Writes the snapshot of `state` (atomically); returns its path. */
export const writeSnapshot = async (runDir: string, state: TrainState, meta: CheckpointMeta): Promise<string> => {
  await mkdir(snapshotDir(runDir), { recursive: true })
  const path = snapshotPath(runDir, state.step)
  await atomicWriteFile(path, await checkpointBytesAsync(state, meta))
  return path
}

/** A snapshot on disk. */
export interface SnapshotFile {
  readonly step: number
  readonly path: string
}

/** The run's snapshots, by step ascending (none when the folder does not exist). */
export const listSnapshots = async (runDir: string): Promise<SnapshotFile[]> => {
  const dir = snapshotDir(runDir)
  if (!existsSync(dir)) return []
  const found: SnapshotFile[] = []
  for (const name of await readdir(dir)) {
    const m = /^step-(\d+)\.safetensors$/.exec(name)
    if (m !== null) found.push({ step: Number(m[1]), path: join(dir, name) })
  }
  return found.sort((a, b) => a.step - b.step)
}

/** Checks that every fraction is a number in (0, 1); throws a RangeError naming the bad one. */
export const checkSnapshotFractions = (fractions: readonly number[]): void => {
  for (const f of fractions) if (!(f > 0 && f < 1)) throw new RangeError(`train: snapshot fractions must lie in (0, 1), got ${f}`)
}

/** The fractions in `wanted` not yet in `done` that `progress` (the budget's fraction used) has reached. */
export const dueSnapshots = (wanted: readonly number[], done: ReadonlySet<number>, progress: number): number[] =>
  wanted.filter((f) => !done.has(f) && progress >= f)
