/**
 * The `webgpu` backend in Node: Dawn's Node binding (npm `webgpu`) provides `navigator.gpu`, and
 * `@tensorflow/tfjs-backend-webgpu` — imported dynamically AFTER the global exists, because it
 * registers itself only when `navigator.gpu` is there when it is evaluated — runs tfjs on it.
 *
 * Contract of `loadWebgpu()`: either `{ ok: true, adapter }` with the backend active and the
 * adapter described (`AdapterReport`: vendor, architecture, device, whether it is a software
 * fallback such as SwiftShader), or `{ ok: false, reason }` naming what is missing (the binding, a
 * Vulkan loader, an adapter) — it never throws. Calling it again returns the first result.
 *
 * Traps this module exists for: synchronous reads (`dataSync`) of a tensor that lives on the GPU
 * throw in Node (tfjs-backend-webgpu needs `OffscreenCanvas` for them), so code meant to run here
 * reads with `await t.data()` (the training loop does; see `@jepa-ts/train`'s `readMetrics`).
 * A machine without a GPU still gets an adapter from SwiftShader when the Vulkan loader is
 * installed (Debian `libvulkan1`) and `VK_ICD_FILENAMES` names chromium's SwiftShader ICD
 * (`SWIFTSHADER_ICD`): slow, but exact enough to test on.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { registerWebgpuKernels } from './webgpu-kernels.ts'

/** Where Debian's chromium package puts the SwiftShader Vulkan ICD (a software GPU). */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json'

/** What the WebGPU adapter says about itself. */
export interface AdapterReport {
  readonly vendor: string
  readonly architecture: string
  readonly device: string
  readonly description: string
  /** True for a software rasterizer (SwiftShader, lavapipe/llvmpipe) or an adapter that says it is a fallback. */
  readonly software: boolean
}

/** `vendor / architecture` (+ `(software)`), for one-line notices. */
export const describeAdapter = (a: AdapterReport): string =>
  `${a.vendor || 'unknown vendor'} / ${a.architecture || a.device || a.description || 'unknown architecture'}${a.software ? ' (software fallback)' : ''}`

/** The fields of a `GPUAdapterInfo` this module reads (getters on Dawn's object). */
interface AdapterInfoLike {
  readonly vendor?: string
  readonly architecture?: string
  readonly device?: string
  readonly description?: string
  readonly isFallbackAdapter?: boolean
}

interface AdapterLike {
  readonly info?: AdapterInfoLike
  readonly isFallbackAdapter?: boolean
}

interface GpuLike {
  requestAdapter(options?: { readonly powerPreference?: string }): Promise<AdapterLike | null>
}

interface WebgpuModule {
  readonly create: (flags: string[]) => GpuLike
  readonly globals: Record<string, unknown>
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i

/** The report of an adapter's info (pure; exported for tests). */
export const adapterReport = (info: AdapterInfoLike, fallbackFlag = false): AdapterReport => {
  const vendor = info.vendor ?? ''
  const architecture = info.architecture ?? ''
  const device = info.device ?? ''
  const description = info.description ?? ''
  const software = fallbackFlag || info.isFallbackAdapter === true || SOFTWARE.test(`${vendor} ${architecture} ${device} ${description}`)
  return { vendor, architecture, device, description, software }
}

export type WebgpuLoad = { readonly ok: true; readonly adapter: AdapterReport } | { readonly ok: false; readonly reason: string }

let loaded: Promise<WebgpuLoad> | undefined

const firstLine = (e: unknown): string => (e instanceof Error ? e.message.split('\n')[0]! : String(e))

const load = async (): Promise<WebgpuLoad> => {
  let mod: WebgpuModule
  try {
    const specifier = 'webgpu' // a variable: its types would declare DOM globals this code does not use
    mod = (await import(specifier)) as unknown as WebgpuModule
  } catch (e) {
    return { ok: false, reason: `the Dawn binding (npm "webgpu") did not load: ${firstLine(e)}` }
  }
  // The Vulkan loader complains on stderr without a runtime folder; any writable one will do.
  process.env['XDG_RUNTIME_DIR'] ??= mkdtempSync(join(tmpdir(), 'jepa-xdg-'))
  const g = globalThis as unknown as Record<string, unknown>
  for (const [k, v] of Object.entries(mod.globals)) if (g[k] === undefined) g[k] = v
  const gpu = mod.create([])
  let adapter: AdapterLike | null
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
  } catch (e) {
    return { ok: false, reason: `requestAdapter failed: ${firstLine(e)}` }
  }
  if (adapter === null) {
    return {
      ok: false,
      reason: `no WebGPU adapter: Dawn found no usable Vulkan device (the Vulkan loader is Debian's libvulkan1; for a software GPU set VK_ICD_FILENAMES=${SWIFTSHADER_ICD} from the chromium package)`,
    }
  }
  const report = adapterReport(adapter.info ?? {}, adapter.isFallbackAdapter === true)
  const nav = g['navigator'] as { gpu?: unknown } | undefined
  if (nav === undefined) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true })
  else if (nav.gpu === undefined) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true })
  try {
    await import('@tensorflow/tfjs-backend-webgpu')
  } catch (e) {
    return { ok: false, reason: `@tensorflow/tfjs-backend-webgpu did not load: ${firstLine(e)}` }
  }
  registerWebgpuKernels()
  return { ok: true, adapter: report }
}

/** Loads Dawn and the tfjs webgpu backend once and reports the adapter (does not activate it). */
export const loadWebgpu = (): Promise<WebgpuLoad> => {
  loaded ??= load()
  return loaded
}

/** Loads (once) and activates the webgpu backend. */
export const tryWebgpu = async (): Promise<WebgpuLoad> => {
  const r = await loadWebgpu()
  if (!r.ok) return r
  try {
    const ok = await tf.setBackend('webgpu')
    return ok ? r : { ok: false, reason: 'tf.setBackend("webgpu") failed (see the error tfjs printed above)' }
  } catch (e) {
    return { ok: false, reason: firstLine(e) }
  }
}
