/**
 * Loads the compiled addon once. Never throws: the result is the addon, or the one-line reason it
 * is unavailable — the reason recorded by the install-time build (build/BUILD_FAILED.txt) when
 * the build failed, else the loader's error.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { NativeAddon } from './addon-types.ts'
import { asAddon } from './internal.ts'

export type AddonResult = { readonly ok: true; readonly addon: NativeAddon } | { readonly ok: false; readonly reason: string }

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Where the addon is expected: build/Release/jepa_native.node in this package. */
export const ADDON_PATH = join(packageDir, 'build', 'Release', 'jepa_native.node')

let cached: AddonResult | undefined

/** Loads `build/Release/jepa_native.node` under `dir` (a package directory); never throws. */
export const loadAddonAt = (dir: string): AddonResult => {
  const addonPath = join(dir, 'build', 'Release', 'jepa_native.node')
  const failed = join(dir, 'build', 'BUILD_FAILED.txt')
  if (!existsSync(addonPath)) {
    const why = existsSync(failed) ? readFileSync(failed, 'utf8').trim() : 'the addon was not built (run `pnpm --filter @jepa-ts/backend-native rebuild`)'
    return { ok: false, reason: why }
  }
  try {
    // OpenBLAS reads this when the addon loads it: park idle worker threads at once instead of
    // letting them spin after every GEMM (DESIGN §4b). A user's own setting wins.
    process.env.OPENBLAS_THREAD_TIMEOUT ??= '4'
    const raw: unknown = createRequire(import.meta.url)(addonPath)
    const addon = asAddon(raw)
    return 'missing' in addon ? { ok: false, reason: addon.missing } : { ok: true, addon }
  } catch (e) {
    return { ok: false, reason: `loading ${addonPath} failed: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}` }
  }
}

/** This package's addon, loaded on first call (the result is cached, failure included). */
export const loadAddon = (): AddonResult => (cached ??= loadAddonAt(packageDir))
