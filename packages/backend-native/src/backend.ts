/**
 * `NativeBackend`: tfjs's cpu backend with the addon attached. It *is* a `MathBackendCPU` — same
 * data store, same tensor layout (flat typed arrays) — so every cpu kernel runs on it unchanged
 * and a native kernel can take over any of them without a copy. Kernels read inputs through
 * `floats`/`ints` (views into the store, never written) and hand back arrays from `alloc` through
 * `output`, which the store adopts as is. It also counts, per kernel name, how often a native
 * kernel ran and how often it deferred to the cpu kernel (read by the census test and the bench).
 *
 * Native kernels take their outputs from a `BufferPool` (`alloc`): the buffers of disposed tensors
 * are recycled instead of freshly zero-filled. The backend keeps the pool's reference counts: every
 * store entry that adopts values (`write`, `move`) retains its buffer, every deleted entry
 * (`disposeData`) releases it. Reads (`readSync`, `read`, and so `dataSync()`, `data()`,
 * `bufferSync`) return a copy of pooled values, so no array outside the store can see a buffer
 * reused. The pool bounds itself by the step's peak (buffer-pool.ts `freeLimit`) and keeps at most
 * `JEPA_NATIVE_POOL_MIB` MiB free on top of that (default 8192, a ceiling; 0 disables the pool).
 */
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu'
import type * as tf from '@tensorflow/tfjs'
import type { NativeAddon } from './addon-types.ts'
import { BufferPool } from './buffer-pool.ts'
import { float32Values, int32Values, silenceBanner } from './internal.ts'

/** Time spent in one kernel (by name, or by name and shapes), summed over its calls. */
export interface KernelTime {
  readonly ms: number
  readonly calls: number
}

/** Per-kernel counts of native runs and cpu fallbacks since the last `resetStats()`. */
export interface KernelStats {
  readonly native: Map<string, number>
  readonly fallback: Map<string, number>
}

export class NativeBackend extends MathBackendCPU {
  readonly addon: NativeAddon
  readonly stats: KernelStats = { native: new Map(), fallback: new Map() }
  readonly pool: BufferPool
  /** While defined (see `timeKernels`), every kernel call adds its wall time here, keyed by `kernelKey`. */
  kernelTimes: Map<string, KernelTime> | undefined
  kernelKey: (name: string, inputs: tf.NamedTensorInfoMap, outputs: tf.TensorInfo | tf.TensorInfo[]) => string = (name) => name

  constructor(addon: NativeAddon, poolBytes = defaultPoolBytes()) {
    super()
    this.addon = addon
    this.pool = new BufferPool(poolBytes)
    silenceBanner(this)
  }

  /** An output array of length `n` with unspecified contents: the kernel must write every element. */
  alloc(n: number): Float32Array {
    return this.pool.take(n)
  }

  override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): object {
    const id = super.write(values, shape, dtype)
    if (ArrayBuffer.isView(values)) this.pool.retain(values)
    return id
  }

  override move(dataId: object, values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
    // `data.get` of an id not in this store would move it here first (recursing): check `has`.
    const old = this.data.has(dataId) ? this.data.get(dataId).values : undefined
    super.move(dataId, values, shape, dtype, refCount)
    if (ArrayBuffer.isView(values)) this.pool.retain(values)
    if (old !== undefined && ArrayBuffer.isView(old)) this.pool.release(old)
  }

  override disposeData(dataId: object, force?: boolean): boolean {
    const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined
    const released = super.disposeData(dataId, force)
    if (values !== undefined && ArrayBuffer.isView(values) && !this.data.has(dataId)) this.pool.release(values)
    return released
  }

  override readSync(dataId: object): tf.backend_util.BackendValues {
    const v = super.readSync(dataId)
    return v instanceof Float32Array && this.pool.owns(v) ? v.slice() : v
  }

  override read(dataId: object): Promise<tf.backend_util.BackendValues> {
    return Promise.resolve(this.readSync(dataId))
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

  /**
   * Runs `f` and returns the wall time of every kernel it called on this backend (native, fused
   * and cpu alike) — plain clock reads around each kernel, none of `tf.profile`'s per-output reads.
   * `byShape` keys the times by kernel and input/output shapes instead of by kernel name.
   */
  timeKernels(f: () => void, byShape = false): Map<string, KernelTime> {
    const times = new Map<string, KernelTime>()
    const saved = this.kernelKey
    this.kernelTimes = times
    if (byShape) this.kernelKey = shapeKey
    try {
      f()
    } finally {
      this.kernelTimes = undefined
      this.kernelKey = saved
    }
    return times
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

/**
 * The pool's ceiling on free bytes: `JEPA_NATIVE_POOL_MIB` (MiB, 0 disables pooling), default 8 GiB.
 * The peak bound governs (free + in use ≤ (1 + slack) × the peak in use, the slack 1/8 to 1/2;
 * buffer-pool.ts); a 2 GiB ceiling made the I-JEPA
 * step at B 256 (peak ~2.3 GiB in use) allocate ~140 fresh buffers every step.
 */
const defaultPoolBytes = (): number => {
  const raw = process.env.JEPA_NATIVE_POOL_MIB
  const mib = raw === undefined || raw === '' ? 8192 : Number(raw)
  if (!Number.isFinite(mib) || mib < 0) throw new RangeError(`JEPA_NATIVE_POOL_MIB must be a non-negative number of MiB, got ${JSON.stringify(raw)}`)
  return mib * 2 ** 20
}

const dims = (t: tf.TensorInfo): string => `[${t.shape.join(',')}]`

/** `Name [in shapes] → [out shapes]`. */
const shapeKey = (name: string, inputs: tf.NamedTensorInfoMap, outputs: tf.TensorInfo | tf.TensorInfo[]): string =>
  `${name} ${Object.values(inputs).filter((t): t is tf.TensorInfo => t !== undefined).map(dims).join(' ')} → ${(Array.isArray(outputs) ? outputs : [outputs]).map(dims).join(' ')}`
