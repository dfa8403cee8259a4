/**
 * Which build of the addon this CPU can run. The addon is built three times (binding.gyp):
 * `jepa_native` for the x86-64-v2 baseline (SSE4.2, POPCNT), `jepa_native_v3` for x86-64-v3 (AVX2,
 * FMA, BMI2, …) and `jepa_native_v4` for x86-64-v4 (AVX-512 F/BW/CD/DQ/VL); none is built for the
 * build machine's own CPU, so a `node_modules` copied to another x86-64 machine still loads.
 * `chooseBuild` reads the CPU's feature flags *before* anything is loaded and picks the highest level
 * the CPU has; on a CPU below the baseline it returns the reason (which flags are missing) instead
 * of letting the loader run instructions the CPU lacks (SIGILL). On other architectures the single
 * build has no `-march` and is chosen as is.
 *
 * `JEPA_NATIVE_CPU_FLAGS` (space- or comma-separated) replaces the flags read from /proc/cpuinfo, to
 * simulate another CPU; `JEPA_NATIVE_BUILD=v2|v3` caps the level (e.g. to measure one build).
 */
import { existsSync, readFileSync } from 'node:fs'

/** The CPU as the loader sees it: the architecture and, on x86-64, its feature flags (undefined when unreadable). */
export interface CpuDescription {
  readonly arch: string
  readonly flags: ReadonlySet<string> | undefined
}

/** Flags (as /proc/cpuinfo spells them) each x86-64 level requires; `pni` is SSE3, `abm` includes LZCNT. */
export const X86_64_V2: readonly string[] = ['cx16', 'lahf_lm', 'popcnt', 'pni', 'sse4_1', 'sse4_2', 'ssse3']
export const X86_64_V3: readonly string[] = [...X86_64_V2, 'avx', 'avx2', 'bmi1', 'bmi2', 'f16c', 'fma', 'abm', 'movbe', 'xsave']
export const X86_64_V4: readonly string[] = [...X86_64_V3, 'avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl']

const parseFlags = (text: string): Set<string> => new Set(text.split(/[\s,]+/).filter((f) => f !== ''))

/** This machine's CPU, or the one `JEPA_NATIVE_CPU_FLAGS` describes. */
export const hostCpu = (env: NodeJS.ProcessEnv = process.env): CpuDescription => {
  const simulated = env['JEPA_NATIVE_CPU_FLAGS']
  if (simulated !== undefined) return { arch: 'x64', flags: parseFlags(simulated) }
  if (process.arch !== 'x64') return { arch: process.arch, flags: undefined }
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'))
    return { arch: 'x64', flags: line === undefined ? undefined : parseFlags(line.slice(line.indexOf(':') + 1)) }
  } catch {
    return { arch: 'x64', flags: undefined }
  }
}

export type BuildLevel = 'x86-64-v4' | 'x86-64-v3' | 'x86-64-v2' | 'generic'

export type BuildChoice = { readonly ok: true; readonly file: string; readonly level: BuildLevel } | { readonly ok: false; readonly reason: string }

/** The addon file (under `releaseDir`) this CPU can run, or why none. */
export const chooseBuild = (releaseDir: string, cpu: CpuDescription, env: NodeJS.ProcessEnv = process.env): BuildChoice => {
  const base = `${releaseDir}/jepa_native.node`
  if (cpu.arch !== 'x64') return { ok: true, file: base, level: 'generic' }
  // Unreadable flags (no /proc): the baseline, which every x86-64 CPU since 2009 runs.
  if (cpu.flags === undefined) return { ok: true, file: base, level: 'x86-64-v2' }
  const flags = cpu.flags
  const lacking = (level: readonly string[]): string[] => level.filter((f) => !flags.has(f))
  const missingV2 = lacking(X86_64_V2)
  if (missingV2.length > 0) {
    return {
      ok: false,
      reason: `this CPU lacks ${missingV2.join(', ')}, which the native addon's baseline build (x86-64-v2) needs; not loading it (use the wasm or cpu backend)`,
    }
  }
  const cap = env['JEPA_NATIVE_BUILD']
  const higher: readonly (readonly [BuildLevel, readonly string[], string, boolean])[] = [
    ['x86-64-v4', X86_64_V4, `${releaseDir}/jepa_native_v4.node`, cap === undefined || cap === 'v4'],
    ['x86-64-v3', X86_64_V3, `${releaseDir}/jepa_native_v3.node`, cap !== 'v2'],
  ]
  for (const [level, needs, file, allowed] of higher) {
    if (allowed && lacking(needs).length === 0 && existsSync(file)) return { ok: true, file, level }
  }
  return { ok: true, file: base, level: 'x86-64-v2' }
}
