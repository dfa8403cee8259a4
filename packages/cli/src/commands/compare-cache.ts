/**
 * What `jepa compare --resume` keeps of a finished run: `<run>/compare.json` holds the run's rows
 * (trained and random init), its learning-curve points and its throughput, with the key they were
 * computed under — the evaluation settings, the snapshot fractions, and the size and modification
 * time of the checkpoint they evaluated. It is written only for a run that reached its budget
 * (`completed`), after its evaluation; `readCompareCache` returns it only when the key matches and
 * the checkpoint on disk is still the one evaluated, so a rerun of the same command skips training
 * and evaluation of that run, and anything else (another `--limit`, a retrained checkpoint, a file
 * that does not parse) evaluates afresh.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { atomicWriteFile } from '@jepa-ts/core/node'
import type { CompareRow } from '@jepa-ts/eval'

/** One point of a run's learning curve: a snapshot (or the final checkpoint) and its scores. */
export interface CurvePoint {
  readonly step: number
  readonly wallSeconds: number | undefined
  readonly linearTop1: number | undefined
  readonly attentiveTop1: number | undefined
  readonly knnTop1: number | undefined
  readonly rankMe: number | undefined
}

/** What the cached results were computed under (compared as JSON). */
export interface CompareCacheKey {
  readonly steps: number | undefined
  readonly wallClockSeconds: number | undefined
  readonly seed: number | undefined
  readonly data: string | undefined
  readonly limit: number | undefined
  readonly probeEpochs: number | undefined
  readonly attentiveEpochs: number | undefined
  readonly curve: readonly number[]
}

/** A finished run's results. */
export interface CompareCacheEntry {
  readonly step: number
  readonly model: CompareRow
  readonly random: CompareRow | undefined
  readonly points: readonly CurvePoint[]
  readonly imagesPerSecond: number
  readonly wallSeconds: number
}

interface CacheFile extends CompareCacheEntry {
  readonly version: 1
  readonly key: CompareCacheKey
  readonly checkpoint: { readonly bytes: number; readonly mtimeMs: number }
}

export const compareCachePath = (runDir: string): string => join(runDir, 'compare.json')

const fingerprint = (checkpoint: string): CacheFile['checkpoint'] | undefined => {
  if (!existsSync(checkpoint)) return undefined
  const s = statSync(checkpoint)
  return { bytes: s.size, mtimeMs: s.mtimeMs }
}

/** The cached results of the run in `runDir`, when they were computed under `key` from the checkpoint now on disk. */
export const readCompareCache = (runDir: string, checkpoint: string, key: CompareCacheKey): CompareCacheEntry | undefined => {
  const path = compareCachePath(runDir)
  const now = fingerprint(checkpoint)
  if (now === undefined || !existsSync(path)) return undefined
  let file: CacheFile
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as CacheFile
  } catch {
    return undefined
  }
  if (file.version !== 1 || JSON.stringify(file.key) !== JSON.stringify(key)) return undefined
  if (file.checkpoint?.bytes !== now.bytes || file.checkpoint.mtimeMs !== now.mtimeMs) return undefined
  const { step, model, random, points, imagesPerSecond, wallSeconds } = file
  return { step, model, random, points, imagesPerSecond, wallSeconds }
}

/** Records a finished run's results next to its checkpoint (atomically). */
export const writeCompareCache = async (runDir: string, checkpoint: string, key: CompareCacheKey, entry: CompareCacheEntry): Promise<void> => {
  const now = fingerprint(checkpoint)
  if (now === undefined) return
  const file: CacheFile = { version: 1, key, checkpoint: now, ...entry }
  await atomicWriteFile(compareCachePath(runDir), new TextEncoder().encode(`${JSON.stringify(file, null, 2)}\n`))
}
