/**
 * The thread budget of the native backend: one number shared by the addon's own pool and
 * OpenBLAS. The two never run at once (a GEMM runs on the calling thread between pool jobs, and a
 * pool job's GEMMs run single-threaded), so giving both the whole budget does not oversubscribe the
 * cores; two separate counts (the pool's up-to-16 and OpenBLAS's own default) could.
 *
 * Contract:
 * - `threadBudget(env)`: `JEPA_THREADS` (a positive integer) when set, else the machine's cores
 *   (`os.availableParallelism()`); a malformed value throws a RangeError naming the variable.
 * - `setNativeThreads(addon, n)`: sets both counts to `n` (a positive integer ≤ `MAX_THREADS`, else
 *   a RangeError naming `--threads`); `addon.info()` then reports `poolThreads` = n and
 *   `blasThreads` = n (OpenBLAS may clamp it to the count it was built for).
 * - `registerNativeBackend` applies `threadBudget(process.env)` when it loads the addon; `jepa
 *   train|eval|compare --threads N` (engine's `useBackend`) overrides it.
 */
import { availableParallelism } from 'node:os'
import type { NativeAddon } from './addon-types.ts'

/** The most threads the addon's pool accepts (native/pool.h kMaxThreads). */
export const MAX_THREADS = 256

/** The environment variable holding the thread budget. */
export const THREADS_ENV = 'JEPA_THREADS'

const checkCount = (n: number, what: string): number => {
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) throw new RangeError(`${what} must be an integer from 1 to ${MAX_THREADS}, got ${JSON.stringify(n)}`)
  return n
}

/** `JEPA_THREADS` when set (non-empty), else the machine's cores. */
export const threadBudget = (env: NodeJS.ProcessEnv = process.env): number => {
  const raw = env[THREADS_ENV]
  if (raw === undefined || raw.trim() === '') return Math.min(availableParallelism(), MAX_THREADS)
  if (!/^\s*\d+\s*$/.test(raw)) throw new RangeError(`${THREADS_ENV} must be a positive integer number of threads, got ${JSON.stringify(raw)}`)
  return checkCount(Number(raw), THREADS_ENV)
}

/** Gives the addon's pool and OpenBLAS the same budget of `n` threads. */
export const setNativeThreads = (addon: NativeAddon, n: number, what = '--threads'): void => {
  addon.setThreads(checkCount(n, what))
}
