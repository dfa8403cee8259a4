/**
 * Where a run starts: fresh from `family.init(key)`, or from the run directory's checkpoint.
 *
 * Contract of `startingState`:
 * - `resume: false` and a checkpoint already in the directory → a `CheckpointError` (a new run never
 *   overwrites another run's checkpoint; pass resume or choose another directory).
 * - `resume: false` and only `checkpoint.prev.safetensors` → a `CheckpointError` too (a new run would
 *   overwrite that backup).
 * - `resume: true` and no checkpoint → a fresh state (`resumedFrom` undefined), so a job can always
 *   be started with resume.
 * - `resume: true` and only `checkpoint.prev.safetensors` (the newest one was lost) → resumes from
 *   it, validated like a checkpoint, with a notice saying so; never a silent fresh start.
 * - `resume: true` and a checkpoint → its metadata must match this run (family, config, key,
 *   dataset, batch size; the error names the first differing field) and its tensors must match a
 *   freshly initialized state's tree (paths, shapes, dtypes; the error names the tensors and shapes).
 *   A checkpoint computed on another tfjs backend is accepted with a notice: the run continues
 *   correctly but not bit-identically (kernels round differently, ~1e-7).
 * The caller owns the returned state.
 */
import { existsSync } from 'node:fs'
import { disposeState, stateToTree, type Family, type TrainState } from './family.ts'
import { type CheckpointMeta, CheckpointError, checkpointState, metaMismatch, readCheckpoint } from './checkpoint.ts'
import type { RunPaths } from './run-dir.ts'
import type { Key } from '@jepa-ts/core'

/** The state a run starts from, and the checkpoint it came from. */
export interface StartingState {
  readonly state: TrainState
  readonly resumedFrom: string | undefined
  /** Lines for people when the start needs explaining (resumed from the backup, or on another backend). */
  readonly notices: readonly string[]
}

/** Loads a checkpoint into `family`'s state after validating metadata and tensors. */
export const loadCheckpointFor = async (family: Family, key: Key, path: string, expected?: Omit<CheckpointMeta, 'step'>): Promise<{ state: TrainState; meta: CheckpointMeta }> => {
  const file = await readCheckpoint(path)
  if (expected !== undefined) {
    const why = metaMismatch(expected, file.meta)
    if (why !== undefined) throw new CheckpointError(path, `${path} belongs to another run: ${why}`)
  }
  const fresh = family.init(key)
  try {
    return { state: checkpointState(file, stateToTree(fresh)), meta: file.meta }
  } finally {
    disposeState(fresh)
  }
}

/** The state a run starts from (see the module contract). */
export const startingState = async (family: Family, key: Key, paths: RunPaths, resume: boolean, expected: Omit<CheckpointMeta, 'step'>): Promise<StartingState> => {
  const present = existsSync(paths.checkpoint)
  const backup = !present && existsSync(paths.previousCheckpoint)
  if ((present || backup) && !resume) {
    const found = present ? paths.checkpoint : paths.previousCheckpoint
    throw new CheckpointError(found, `${found} already exists: pass resume (--resume) to continue that run, or choose another output directory`)
  }
  const from = backup ? paths.previousCheckpoint : paths.checkpoint
  if (!present && !backup) return { state: family.init(key), resumedFrom: undefined, notices: [] }
  const { state, meta } = await loadCheckpointFor(family, key, from, expected)
  const notices = [
    ...(backup ? [`${paths.checkpoint} is missing; resuming from the previous checkpoint ${from} (step ${state.step})`] : []),
    ...(meta.backend !== undefined && expected.backend !== undefined && meta.backend !== expected.backend
      ? [`${from} was computed on the ${meta.backend} backend and resumes on ${expected.backend}: the run continues, but not bit-identically to one that stayed on ${meta.backend} (kernels round differently, ~1e-7)`]
      : []),
  ]
  return { state, resumedFrom: from, notices }
}
