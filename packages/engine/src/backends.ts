/**
 * Backend selection. One call, `useBackend(choice)`, before any tensor is made:
 * - `'native'` — the OpenBLAS-backed CPU backend of `@jepa-ts/backend-native` (fastest here);
 * - `'wasm'`   — tfjs-backend-wasm (SIMD, single-threaded in Node) with our training fixes;
 * - `'cpu'`    — tfjs's pure-JS kernels (slowest; the reference the others are tested against);
 * - `'webgpu'` — tfjs-backend-webgpu on Dawn's Node binding (`webgpu.ts`): a GPU through Vulkan, or
 *   SwiftShader (a software GPU, for tests) when `VK_ICD_FILENAMES` names it; `adapter` describes it;
 * - `'tensorflow'` — libtensorflow through `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node`
 *   when the user installed one (`tensorflow.ts`; never a dependency here);
 * - `'auto'`   — webgpu when its adapter is hardware, else the first of native → wasm → cpu that
 *   initializes. When a faster backend is skipped, the returned `notice` says which and why in one
 *   line (the caller prints it): webgpu is skipped silently when the machine shows no GPU
 *   (`gpuHint()`: no /dev/nvidia0, no /dev/dri/renderD*, no VK_ICD_FILENAMES — then Dawn is not even
 *   loaded, which keeps its Vulkan warnings and ~0.5 s off CPU machines) or has no WebGPU adapter,
 *   and with a notice when its adapter is a software one.
 * The choice can also come from the environment variable `JEPA_BACKEND`.
 * `options.threads` sets the native backend's thread budget (its pool and OpenBLAS together; the
 * default is `JEPA_THREADS`, else the machine's cores); wasm (single-threaded in Node) and cpu
 * ignore it.
 */
import { existsSync, readdirSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs'
import { installWasmFixes } from './wasm-fixes.ts'
import { type AdapterReport, describeAdapter, loadWebgpu, tryWebgpu } from './webgpu.ts'
import { tryTensorflow } from './tensorflow.ts'

/** The backends a user can ask for. */
export type BackendChoice = 'auto' | 'native' | 'wasm' | 'cpu' | 'webgpu' | 'tensorflow'

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'native', 'wasm', 'cpu', 'webgpu', 'tensorflow']

/** What `useBackend` did. */
export interface BackendInfo {
  /** The active tfjs backend. */
  readonly name: 'native' | 'wasm' | 'cpu' | 'webgpu' | 'tensorflow'
  /** One line for the user when a faster backend was skipped, naming the reason. */
  readonly notice?: string
  /** The WebGPU adapter, when webgpu is active or was considered by `auto`. */
  readonly adapter?: AdapterReport
}

/** What `useBackend` takes besides the choice. */
export interface BackendOptions {
  /** The native backend's thread budget (a positive integer); undefined = its default. */
  readonly threads?: number
}

interface NativeModule {
  readonly registerNativeBackend: () => { readonly ok: true } | { readonly ok: false; readonly reason: string }
  readonly setThreads: (n: number) => void
}

const tryNative = async (threads: number | undefined): Promise<{ ok: true } | { ok: false; reason: string }> => {
  try {
    const mod = (await import('@jepa-ts/backend-native')) as unknown as Partial<NativeModule>
    if (typeof mod.registerNativeBackend !== 'function') return { ok: false, reason: 'the native backend package exports no registerNativeBackend yet' }
    const r = mod.registerNativeBackend()
    if (!r.ok) return r
    if (threads !== undefined) {
      if (typeof mod.setThreads !== 'function') return { ok: false, reason: 'the native backend package exports no setThreads' }
      mod.setThreads(threads)
    }
    const ok = await tf.setBackend('native')
    return ok ? { ok: true } : { ok: false, reason: 'tf.setBackend("native") failed' }
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message.split('\n')[0]! : String(e) }
  }
}

const tryWasm = async (): Promise<{ ok: true } | { ok: false; reason: string }> => {
  try {
    await import('@tensorflow/tfjs-backend-wasm')
    installWasmFixes()
    const ok = await tf.setBackend('wasm')
    return ok ? { ok: true } : { ok: false, reason: 'tf.setBackend("wasm") failed' }
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message.split('\n')[0]! : String(e) }
  }
}

/** Silences tfjs's "install tfjs-node" banner: that package cannot install here, the native backend replaces it. */
export const silenceCpuBanner = (): void => {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null
  if (cpu !== null && cpu !== undefined) cpu.firstUse = false
}

/** Whether the machine shows a GPU `auto` should try: a GPU device node, an explicit Vulkan ICD, or not Linux. */
export const gpuHint = (): boolean => {
  if (process.platform !== 'linux') return true
  if ((process.env['VK_ICD_FILENAMES'] ?? '') !== '' || existsSync('/dev/nvidia0')) return true
  try {
    return readdirSync('/dev/dri').some((f) => f.startsWith('renderD'))
  } catch {
    return false
  }
}

const parseChoice = (s: string | undefined): BackendChoice | undefined =>
  s === undefined || s === '' ? undefined : (BACKEND_CHOICES as readonly string[]).includes(s) ? (s as BackendChoice) : undefined

/**
 * Activates a backend. An explicit choice that cannot initialize is an error naming the reason;
 * `'auto'` falls back and reports the fallback in `notice`.
 */
export const useBackend = async (choice: BackendChoice = parseChoice(process.env.JEPA_BACKEND) ?? 'auto', options: BackendOptions = {}): Promise<BackendInfo> => {
  if (!(BACKEND_CHOICES as readonly string[]).includes(choice)) {
    throw new Error(`unknown backend "${choice}": expected one of ${BACKEND_CHOICES.join(', ')}`)
  }
  const threads = options.threads
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) throw new RangeError(`threads must be a positive integer, got ${threads}`)
  silenceCpuBanner()
  if (choice === 'cpu') {
    await tf.setBackend('cpu')
    return { name: 'cpu' }
  }
  if (choice === 'native') {
    const r = await tryNative(threads)
    if (!r.ok) throw new Error(`backend "native" is unavailable: ${r.reason}`)
    return { name: 'native' }
  }
  if (choice === 'wasm') {
    const r = await tryWasm()
    if (!r.ok) throw new Error(`backend "wasm" is unavailable: ${r.reason}`)
    return { name: 'wasm' }
  }
  if (choice === 'webgpu') {
    const r = await tryWebgpu()
    if (!r.ok) throw new Error(`backend "webgpu" is unavailable: ${r.reason}`)
    return { name: 'webgpu', adapter: r.adapter }
  }
  if (choice === 'tensorflow') {
    const r = await tryTensorflow()
    if (!r.ok) throw new Error(`backend "tensorflow" is unavailable: ${r.reason}`)
    return { name: 'tensorflow', notice: r.notice }
  }
  const gpu: Awaited<ReturnType<typeof loadWebgpu>> = gpuHint() ? await loadWebgpu() : { ok: false, reason: 'no GPU device on this machine' }
  if (gpu.ok && !gpu.adapter.software) {
    const r = await tryWebgpu()
    if (r.ok) return { name: 'webgpu', adapter: r.adapter, notice: `using webgpu on ${describeAdapter(r.adapter)}` }
  }
  const gpuNote = gpu.ok ? `webgpu skipped: its adapter ${describeAdapter(gpu.adapter)} is slower than the CPU backends; ` : ''
  const adapter = gpu.ok ? { adapter: gpu.adapter } : {}
  const native = await tryNative(threads)
  if (native.ok) return gpuNote === '' ? { name: 'native' } : { name: 'native', notice: `${gpuNote}using native`, ...adapter }
  const wasm = await tryWasm()
  if (wasm.ok) return { name: 'wasm', notice: `${gpuNote}native backend unavailable (${native.reason}); using wasm`, ...adapter }
  await tf.setBackend('cpu')
  return { name: 'cpu', notice: `${gpuNote}native backend unavailable (${native.reason}); wasm unavailable (${wasm.reason}); using the slow pure-JS cpu backend`, ...adapter }
}

/** Parses a user-given backend name; Left-free: returns an error message or the choice. */
export const parseBackendChoice = (s: string): BackendChoice | { readonly error: string } =>
  parseChoice(s) ?? { error: `unknown backend "${s}": expected one of ${BACKEND_CHOICES.join(', ')}` }
