/**
 * `NativeBackend`: tfjs's cpu backend with the addon attached. It *is* a `MathBackendCPU` — same
 * data store, same tensor layout (flat typed arrays) — so every cpu kernel runs on it unchanged
 * and a native kernel can take over any of them without a copy. Kernels read inputs through
 * `floats`/`ints` (views into the store, never written) and hand back fresh arrays through
 * `output`, which the store adopts as is. It also counts, per kernel name, how often a native
 * kernel ran and how often it deferred to the cpu kernel (read by the census test and the bench).
 */
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu'
import type * as tf from '@tensorflow/tfjs'
import type { NativeAddon } from './addon-types.ts'
import { float32Values, int32Values, silenceBanner } from './internal.ts'

/** Per-kernel counts of native runs and cpu fallbacks since the last `resetStats()`. */
export interface KernelStats {
  readonly native: Map<string, number>
  readonly fallback: Map<string, number>
}

export class NativeBackend extends MathBackendCPU {
  readonly addon: NativeAddon
  readonly stats: KernelStats = { native: new Map(), fallback: new Map() }

  constructor(addon: NativeAddon) {
    super()
    this.addon = addon
    silenceBanner(this)
  }

  /** The Float32Array behind a float32 tensor (possibly a view), else undefined. */
  floats(t: tf.TensorInfo): Float32Array | undefined {
    return float32Values(this, t)
  }

  /** The Int32Array behind an int32 tensor, else undefined. */
  ints(t: tf.TensorInfo): Int32Array | undefined {
    return int32Values(this, t)
  }

  /** Adopts `values` (not copied) as a new float32 tensor of `shape`. */
  output(shape: number[], values: Float32Array): tf.TensorInfo {
    return this.makeTensorInfo(shape, 'float32', values)
  }

  count(kind: 'native' | 'fallback', kernelName: string): void {
    const m = this.stats[kind]
    m.set(kernelName, (m.get(kernelName) ?? 0) + 1)
  }

  resetStats(): void {
    this.stats.native.clear()
    this.stats.fallback.clear()
  }
}
