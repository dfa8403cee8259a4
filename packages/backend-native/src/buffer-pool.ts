/**
 * A pool of float32 output buffers for the native kernels. A training step hands out about 2 GiB
 * of kernel outputs at batch 64; as fresh `Float32Array`s each is zero-filled by calloc, page-faults
 * in, and counts as V8 external memory, which triggers a full GC every ~64 MiB. Recycling the
 * buffers of disposed tensors removes all three.
 *
 * Contract:
 * - `take(n)` returns a `Float32Array` of length exactly `n` whose contents are UNSPECIFIED (a
 *   recycled buffer, or a fresh one); the caller overwrites every element. Lengths under
 *   `MIN_POOLED` are plain fresh arrays and never tracked. Pooled arrays are views at offset 0 of a
 *   buffer of the size class of `n` (sizes m·2^e, m in 8..15: at most 1/8 larger than `n`).
 * - `take` reuses a free buffer of the size class of `n` or, failing that, of one of the next
 *   `REACH` classes (at most ~2× the size: a step's token counts vary with its masks, and a wider
 *   reach allocates less under the tighter `freeLimit`).
 * - A buffer is in use while any tensor store entry holds a view of it: the backend calls
 *   `retain(values)` whenever an entry adopts values and `release(values)` when an entry is
 *   deleted. When its count drops to zero it goes back to its class's free list; while the free
 *   lists hold more than `freeLimit()`, the buffers freed longest ago are dropped for the GC.
 * - `freeLimit()` bounds the pool by what a step needs: the bytes in use at the highest point so
 *   far (`peakEverBytes`, a training step's peak from the second step on) plus `slack()` of it,
 *   minus the bytes in use now — so free + in use never exceeds (1 + slack) × that peak (and free
 *   never exceeds `maxBytes`). Between steps the free lists hold about what the next step's peak
 *   takes.
 * - The slack starts at `SLACK` (1/8) and adapts to the workload, up to `MAX_SLACK` (1/2): over
 *   two windows of `WINDOW` pooled takes in a row in which the peak did not grow, if more than `CHURN`
 *   of the takes of each had to allocate, the pool is dropping buffers the steps still need (their sizes do not fit the size
 *   classes' free lists tightly enough), and the slack rises by `SLACK_STEP`. The MAE step at batch
 *   64 allocated ~42 of its 427 outputs fresh every other step at 1/8 and none at 3/16; a workload
 *   that allocates now and then (I-JEPA's masks vary its token counts) keeps 1/8 (bench/pool-stats.ts).
 * - `recycle(a)` returns a scratch array that never entered the store.
 * - Nobody outside the backend may keep a pooled array: reads of tensor data hand out copies
 *   (`NativeBackend.readSync`/`read`).
 */

/** Arrays shorter than this are not pooled (V8 allocates small ones cheaply). */
export const MIN_POOLED = 4096

/** How many classes above its own `take` searches (8 classes: up to ~2× the size). */
export const REACH = 8

/** How far above the peak in-use bytes the pool's free + in-use bytes may go at first (see `freeLimit`). */
export const SLACK = 1 / 8

/** The most the slack rises to, and by how much at a time. */
export const MAX_SLACK = 1 / 2
export const SLACK_STEP = 1 / 16

/** Pooled takes per churn window, and the share of them allocated fresh (peak unchanged) that raises the slack. */
export const WINDOW = 1024
export const CHURN = 1 / 25

/** The size class of `n`: the smallest m·2^e ≥ n with m in 8..15. */
export const sizeClass = (n: number): number => {
  if (n <= 16) return n
  const e = Math.floor(Math.log2(n)) - 3
  const unit = 2 ** e
  return Math.ceil(n / unit) * unit
}

/** What the pool holds and has done, for stats and tests. */
export interface PoolStats {
  /** Buffers handed out by `take` that came from a free list. */
  readonly reused: number
  /** Buffers `take` had to allocate. */
  readonly allocated: number
  /** Bytes in the free lists now. */
  readonly freeBytes: number
  /** Pooled buffers some store entry (or a kernel in flight) still uses. */
  readonly inUse: number
  /** Bytes of those buffers. */
  readonly inUseBytes: number
  /** The most `inUseBytes` has been since construction or the last `resetPeak()`. */
  readonly peakInUseBytes: number
}

export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>()
  /** Every free buffer, oldest first (a Set iterates in insertion order): the eviction order. */
  private readonly freeOrder = new Set<ArrayBuffer>()
  /** Store entries holding a view of each pooled buffer; a taken buffer starts at 0. */
  private readonly refs = new Map<ArrayBuffer, number>()
  private freeBytes = 0
  private inUseBytes = 0
  private peakInUseBytes = 0
  private peakEverBytes = 0
  private reused = 0
  private allocated = 0
  private slackNow = SLACK
  private windowTakes = 0
  private windowFresh = 0
  private windowPeak = 0
  private churned = false

  constructor(readonly maxBytes: number) {}

  take(n: number): Float32Array {
    if (n < MIN_POOLED || this.maxBytes <= 0) return new Float32Array(n)
    const size = sizeClass(n)
    let recycled: ArrayBuffer | undefined
    for (let c = size, k = 0; k <= REACH && recycled === undefined; k++, c = sizeClass(c + 1)) recycled = this.free.get(c)?.pop()
    let buffer: ArrayBuffer
    if (recycled !== undefined) {
      buffer = recycled
      this.freeOrder.delete(buffer)
      this.freeBytes -= buffer.byteLength
      this.reused++
    } else {
      buffer = new ArrayBuffer(size * 4)
      this.allocated++
      this.windowFresh++
    }
    if (++this.windowTakes >= WINDOW) this.adaptSlack()
    this.refs.set(buffer, 0)
    this.inUseBytes += buffer.byteLength
    if (this.inUseBytes > this.peakInUseBytes) this.peakInUseBytes = this.inUseBytes
    if (this.inUseBytes > this.peakEverBytes) this.peakEverBytes = this.inUseBytes
    return new Float32Array(buffer, 0, n)
  }

  /** True when `values` is a view of a pooled buffer. */
  owns(values: ArrayBufferView): boolean {
    return values.buffer instanceof ArrayBuffer && this.refs.has(values.buffer)
  }

  retain(values: ArrayBufferView): void {
    const b = values.buffer
    const c = b instanceof ArrayBuffer ? this.refs.get(b) : undefined
    if (c !== undefined) this.refs.set(b as ArrayBuffer, c + 1)
  }

  release(values: ArrayBufferView): void {
    const b = values.buffer
    if (!(b instanceof ArrayBuffer)) return
    const c = this.refs.get(b)
    if (c === undefined) return
    if (c > 1) this.refs.set(b, c - 1)
    else this.giveBack(b)
  }

  /** Returns a scratch array from `take` that no store entry ever held. */
  recycle(values: Float32Array): void {
    const b = values.buffer
    if (b instanceof ArrayBuffer && this.refs.get(b) === 0) this.giveBack(b)
  }

  /** Drops every free buffer (the GC reclaims them). */
  trim(): void {
    this.free.clear()
    this.freeOrder.clear()
    this.freeBytes = 0
  }

  stats(): PoolStats {
    return { reused: this.reused, allocated: this.allocated, freeBytes: this.freeBytes, inUse: this.refs.size, inUseBytes: this.inUseBytes, peakInUseBytes: this.peakInUseBytes }
  }

  /** The most free bytes the pool keeps now (see the contract). */
  freeLimit(): number {
    return Math.min(this.maxBytes, Math.max(0, this.peakEverBytes * (1 + this.slackNow) - this.inUseBytes))
  }

  /** The slack now: `SLACK`, raised by `SLACK_STEP` per churning window up to `MAX_SLACK`. */
  slack(): number {
    return this.slackNow
  }

  /** Ends a churn window: raises the slack after two windows in a row allocated more than `CHURN` of their takes while the peak stood still. */
  private adaptSlack(): void {
    const churning = this.peakEverBytes === this.windowPeak && this.windowFresh > CHURN * this.windowTakes
    if (churning && this.churned) this.slackNow = Math.min(MAX_SLACK, this.slackNow + SLACK_STEP)
    this.churned = churning && !this.churned
    this.windowTakes = 0
    this.windowFresh = 0
    this.windowPeak = this.peakEverBytes
  }

  /** Starts a new peak window at the bytes in use now. */
  resetPeak(): void {
    this.peakInUseBytes = this.inUseBytes
  }

  private giveBack(b: ArrayBuffer): void {
    this.refs.delete(b)
    this.inUseBytes -= b.byteLength
    const limit = this.freeLimit()
    if (b.byteLength > limit) return
    const size = b.byteLength / 4
    const list = this.free.get(size)
    if (list === undefined) this.free.set(size, [b])
    else list.push(b)
    this.freeOrder.add(b)
    this.freeBytes += b.byteLength
    for (const old of this.freeOrder) {
      if (this.freeBytes <= limit) break
      this.freeOrder.delete(old)
      const l = this.free.get(old.byteLength / 4)
      l?.splice(l.indexOf(old), 1)
      this.freeBytes -= old.byteLength
    }
  }
}
