/**
 * Helpers shared by the benchmarks (the pattern of bench/vit-block.ts): flags, backend activation in
 * a worker process, the last JSON line of a child's stdout, the median over rounds.
 */
import * as tf from '@tensorflow/tfjs'

/** The value after `--name` on the command line. */
export const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

/** A positive integer flag, or `dflt`. */
export const intArg = (name: string, dflt: number): number => {
  const v = argValue(name)
  const n = v === undefined ? dflt : Number(v)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${v}`)
  return n
}

/** A comma-separated list of positive integers, or `dflt`. */
export const intList = (name: string, dflt: readonly number[]): number[] => {
  const v = argValue(name)
  if (v === undefined) return [...dflt]
  const xs = v.split(',').map(Number)
  if (xs.length === 0 || !xs.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`${name} must be comma-separated positive integers, got ${v}`)
  return xs
}

/** Activates a tfjs backend: `native` (the addon), `wasm` (with core's fixes when present), `cpu`. */
export const activate = async (backend: string): Promise<void> => {
  if (backend === 'native' || backend === 'native-composite') {
    const { registerNativeBackend } = await import('@jepa-ts/backend-native')
    const r = registerNativeBackend()
    if (!r.ok) throw new Error(`native unavailable: ${r.reason}`)
    await tf.setBackend('native')
    return
  }
  if (backend === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm')
    const { installWasmFixes } = await import('@jepa-ts/engine')
    installWasmFixes()
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend(${backend}) failed`)
}

/** The last line of `stdout` that starts with `{`, parsed; undefined when none parses. */
export const lastJsonLine = (stdout: string): object | undefined => {
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'))
  if (line === undefined) return undefined
  try {
    const v: unknown = JSON.parse(line)
    return typeof v === 'object' && v !== null ? v : undefined
  } catch {
    return undefined
  }
}

/** The median (upper for an even count); NaN for none. */
export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}
