/**
 * Which tfjs backend the playground trains on: WebGPU when the browser offers an adapter, else
 * WebGL, else the CPU backend (slow; the page says so). `?backend=` may ask for one; a backend that
 * fails to start falls through to the next, and the reasons are kept for the page to show.
 *
 *   const { name, skipped } = await pickBackend(['webgpu', 'webgl', 'cpu'])
 */
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-webgpu'

export type BackendName = 'webgpu' | 'webgl' | 'cpu'

export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'cpu']

export interface PickedBackend {
  readonly name: BackendName
  /** Backends tried before it and why each was passed over. */
  readonly skipped: readonly string[]
}

interface GpuNavigator {
  readonly gpu?: { requestAdapter(): Promise<unknown> }
}

/** True when the browser gives a WebGPU adapter (asking tfjs first would log an error when not). */
const hasWebGpuAdapter = async (): Promise<boolean> => {
  const gpu = (navigator as unknown as GpuNavigator).gpu
  if (gpu === undefined) return false
  try {
    return (await gpu.requestAdapter()) !== null
  } catch {
    return false
  }
}

/** True when a WebGL2 context can be made (tfjs's webgl backend needs WebGL 2 or 1). */
const hasWebGl = (): boolean => {
  try {
    const canvas = document.createElement('canvas')
    return canvas.getContext('webgl2') !== null || canvas.getContext('webgl') !== null
  } catch {
    return false
  }
}

/** The first backend of `order` that starts. */
export const pickBackend = async (order: readonly BackendName[]): Promise<PickedBackend> => {
  const skipped: string[] = []
  for (const name of order) {
    if (name === 'webgpu' && !(await hasWebGpuAdapter())) {
      skipped.push('webgpu: this browser gives no WebGPU adapter')
      continue
    }
    if (name === 'webgl' && !hasWebGl()) {
      skipped.push('webgl: this browser cannot make a WebGL context')
      continue
    }
    try {
      if (await tf.setBackend(name)) {
        await tf.ready()
        return { name, skipped }
      }
      skipped.push(`${name}: tfjs could not start it`)
    } catch (e) {
      skipped.push(`${name}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  throw new Error(`no tfjs backend started (${skipped.join('; ')})`)
}
