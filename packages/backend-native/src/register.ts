/**
 * `registerNativeBackend()` — registers the tfjs backend `native`: the cpu backend with the
 * addon's kernels. Never throws: when the addon is missing or fails to load, it returns
 * `{ ok: false, reason }` with a one-line reason for the user. Idempotent. It does not activate
 * the backend (the engine's `useBackend` calls `tf.setBackend('native')`).
 *
 * Mechanics (DESIGN §4b): all cpu kernels are copied to `native` first, so anything without a
 * native kernel runs the cpu kernel on the shared data store with no copy; then the native
 * kernels replace theirs (unregister first, so no overwrite warning) and the kernels of the
 * @jepa-ts/ops ops are added (the ops package owns their gradients). Every kernel is wrapped by `timed`, which does nothing unless
 * `NativeBackend.timeKernels` is running. Loading sets the thread budget (src/threads.ts:
 * `JEPA_THREADS`, else the machine's cores); `setThreads` changes it later. It also installs the
 * backward pass's memory planning (src/planned-gradients.ts), active while `native` is.
 *
 * @example
 * const r = registerNativeBackend()
 * if (r.ok) await tf.setBackend('native'); else console.warn(`native backend unavailable: ${r.reason}`)
 */
import * as tf from '@tensorflow/tfjs'
import { loadAddon } from './addon.ts'
import { NativeBackend } from './backend.ts'
import { BACKEND_NAME } from './kernel-util.ts'
import { fusedKernels, overrideKernels } from './kernels.ts'
import { THREADS_ENV, setNativeThreads, threadBudget } from './threads.ts'
import { installBackwardPlanning } from './planned-gradients.ts'

export type RegisterResult = { readonly ok: true } | { readonly ok: false; readonly reason: string }

/** Above cpu (1) and wasm/webgl (2), so `native` is tfjs's default once registered. */
export const NATIVE_PRIORITY = 3

export const registerNativeBackend = (): RegisterResult => {
  try {
    if (tf.findBackendFactory(BACKEND_NAME) !== null) return { ok: true }
    const loaded = loadAddon()
    if (!loaded.ok) return loaded
    if (tf.findBackendFactory('cpu') === null) return { ok: false, reason: 'the tfjs cpu backend is not registered (import @tensorflow/tfjs first)' }
    const addon = loaded.addon
    setNativeThreads(addon, threadBudget(), THREADS_ENV)
    tf.copyRegisteredKernels('cpu', BACKEND_NAME)
    for (const k of [...overrideKernels, ...fusedKernels]) {
      if (tf.getKernel(k.kernelName, BACKEND_NAME) !== undefined) tf.unregisterKernel(k.kernelName, BACKEND_NAME)
      tf.registerKernel(k)
    }
    for (const k of tf.getKernelsForBackend(BACKEND_NAME)) {
      tf.unregisterKernel(k.kernelName, BACKEND_NAME)
      tf.registerKernel(timed(k))
    }
    if (!tf.registerBackend(BACKEND_NAME, () => new NativeBackend(addon), NATIVE_PRIORITY)) {
      return { ok: false, reason: 'tf.registerBackend("native") refused' }
    }
    installBackwardPlanning()
    return { ok: true }
  } catch (e) {
    return { ok: false, reason: `registering the native backend failed: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}` }
  }
}

/** `k` adding its wall time to the backend's `kernelTimes` while they are being collected. */
const timed = (k: tf.KernelConfig): tf.KernelConfig => {
  const f = k.kernelFunc
  return {
    ...k,
    kernelFunc: (args) => {
      const b = args.backend
      if (!(b instanceof NativeBackend) || b.kernelTimes === undefined) return f(args)
      const t0 = performance.now()
      const out = f(args)
      const ms = performance.now() - t0
      if (!(out instanceof Promise)) {
        const key = b.kernelKey(k.kernelName, args.inputs, out)
        const e = b.kernelTimes.get(key)
        b.kernelTimes.set(key, { ms: (e?.ms ?? 0) + ms, calls: (e?.calls ?? 0) + 1 })
      }
      return out
    },
  }
}

/** The backend instance while `native` is active (for kernel statistics), else undefined. */
export const activeNativeBackend = (): NativeBackend | undefined => {
  const b = tf.getBackend() === BACKEND_NAME ? tf.backend() : undefined
  return b instanceof NativeBackend ? b : undefined
}

/**
 * Sets the native backend's thread budget (the addon's pool and OpenBLAS alike) to `n`; throws a
 * RangeError for a count outside 1..256 and an Error naming the reason when the addon is not loaded.
 */
export const setThreads = (n: number): void => {
  const loaded = loadAddon()
  if (!loaded.ok) throw new Error(`cannot set the native thread count: ${loaded.reason}`)
  setNativeThreads(loaded.addon, n)
}
