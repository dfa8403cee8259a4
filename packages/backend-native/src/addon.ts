/**
 * Loads the compiled addon once. Never throws: the result is the addon, or the one-line reason it
 * is unavailable — the reason recorded by the install-time build (build/BUILD_FAILED.txt) when
 * the build failed, a CPU below the build's baseline (see cpu.ts: checked before loading, so an
 * unsupported CPU gets a message, not SIGILL), a worker thread (the addon's thread pool and
 * OpenBLAS's thread count are process-wide, so it serves the main thread only), else the loader's
 * error.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isMainThread } from 'node:worker_threads'
import type { NativeAddon } from './addon-types.ts'
import { type BuildLevel, type CpuDescription, chooseBuild, hostCpu } from './cpu.ts'
import { asAddon } from './internal.ts'

export type AddonResult =
  | { readonly ok: true; readonly addon: NativeAddon; readonly level: BuildLevel }
  | { readonly ok: false; readonly reason: string }

/** Why the addon is not loaded off the main thread. */
export const WORKER_REASON =
  'the native backend serves the main thread only (its thread pool and OpenBLAS thread count are process-wide); use the cpu or wasm backend in worker_threads'


const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Where the addon is expected: build/Release/jepa_native.node in this package. */
export const ADDON_PATH = join(packageDir, 'build', 'Release', 'jepa_native.node')

let cached: AddonResult | undefined

/**
 * Loads the build under `dir` (a package directory: build/Release/jepa_native.node, or
 * jepa_native_v3.node on an x86-64-v3 CPU) that `cpu` can run; never throws.
 */
export const loadAddonAt = (dir: string, cpu: CpuDescription = hostCpu()): AddonResult => {
  const failed = join(dir, 'build', 'BUILD_FAILED.txt')
  if (!existsSync(join(dir, 'build', 'Release', 'jepa_native.node'))) {
    const why = existsSync(failed) ? readFileSync(failed, 'utf8').trim() : 'the addon was not built (run `pnpm --filter @jepa-ts/backend-native rebuild`)'
    return { ok: false, reason: why }
  }
  if (!isMainThread) return { ok: false, reason: WORKER_REASON }
  const build = chooseBuild(join(dir, 'build', 'Release'), cpu)
  if (!build.ok) return build
  const addonPath = build.file
  try {
    // OpenBLAS reads this when the addon loads it: park idle worker threads at once instead of
    // letting them spin after every GEMM (DESIGN §4b). A user's own setting wins.
    process.env.OPENBLAS_THREAD_TIMEOUT ??= '4'
    const raw: unknown = createRequire(import.meta.url)(addonPath)
    const addon = asAddon(raw)
    return 'missing' in addon ? { ok: false, reason: addon.missing } : { ok: true, addon, level: build.level }
  } catch (e) {
    return { ok: false, reason: `loading ${addonPath} failed: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}` }
  }
}

/** This package's addon, loaded on first call (the result is cached, failure included). */
export const loadAddon = (): AddonResult => (cached ??= loadAddonAt(packageDir))
