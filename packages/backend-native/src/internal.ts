/**
 * The one audited module of this package that touches untyped values: it turns the `require`d
 * addon into a `NativeAddon` (after checking every function is present) and reads a tensor's
 * backing array out of the cpu data store. Nothing else in the package casts.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu'
import type * as tf from '@tensorflow/tfjs'
import { ADDON_FUNCTIONS, type NativeAddon } from './addon-types.ts'

/** Checks that `raw` has every addon function, then views it as a `NativeAddon`. */
export const asAddon = (raw: unknown): NativeAddon | { readonly missing: string } => {
  if (typeof raw !== 'object' || raw === null) return { missing: 'the module exports no object' }
  for (const name of ADDON_FUNCTIONS) {
    if (typeof Reflect.get(raw, name) !== 'function') return { missing: `the addon lacks ${name}()` }
  }
  // Unavoidable: a native module is untyped; every member was checked to be a function above.
  return raw as unknown as NativeAddon
}

/** The backing Float32Array of a float32 tensor (maybe a view), or undefined when it has none. */
export const float32Values = (backend: MathBackendCPU, t: tf.TensorInfo): Float32Array | undefined => {
  if (t.dtype !== 'float32') return undefined
  const v = backend.data.get(t.dataId)?.values
  return v instanceof Float32Array ? v : undefined
}

/** The backing Int32Array of an int32 tensor, or undefined. */
export const int32Values = (backend: MathBackendCPU, t: tf.TensorInfo): Int32Array | undefined => {
  if (t.dtype !== 'int32') return undefined
  const v = backend.data.get(t.dataId)?.values
  return v instanceof Int32Array ? v : undefined
}

/** Silences MathBackendCPU's "install tfjs-node" banner (its `firstUse` field is private). */
export const silenceBanner = (backend: MathBackendCPU): void => {
  Reflect.set(backend, 'firstUse', false)
}

/** A node of tfjs's gradient tape, as `Engine.addTapeNode` records it. */
export interface TapeNode {
  readonly outputs: readonly tf.Tensor[]
  /** Engine-made clones (`saveTensorsForBackwardMode`) the node's gradient reads. */
  readonly saved: readonly tf.Tensor[]
  /** Given the dy of each output (null where none), the lazy gradient of each input. */
  gradient?: (dys: readonly (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>
}

type GradientsFn = (f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor, allowNoGradients?: boolean) => { value: tf.Tensor; grads: tf.Tensor[] }
type AddTapeNodeFn = (...args: unknown[]) => void

/**
 * The parts of tfjs's engine the memory planner hooks (src/planned-gradients.ts): `gradients`
 * (the backward pass), `addTapeNode` (the tape's recorder), the tape and the nesting depth. The
 * getters read the live engine state; `set*` replace the instance's methods.
 */
export interface EngineHooks {
  readonly gradients: GradientsFn
  readonly addTapeNode: AddTapeNodeFn
  setGradients(f: GradientsFn): void
  setAddTapeNode(f: AddTapeNodeFn): void
  /** The tape being recorded (undefined outside `gradients`). */
  tape(): TapeNode[] | undefined
  /** How many `gradients` calls are recording (0 while the outermost backward runs). */
  gradientDepth(): number
}

export const engineHooks = (engine: object): EngineHooks => {
  const method = <F>(name: string): F => {
    const m: unknown = Reflect.get(engine, name)
    if (typeof m !== 'function') throw new Error(`the tfjs engine has no ${name}() (tfjs version changed?)`)
    // Checked to be a function above; tfjs's own signature is the type.
    return (m as (...a: unknown[]) => unknown).bind(engine) as unknown as F
  }
  const state = (): object => {
    const s: unknown = Reflect.get(engine, 'state')
    if (typeof s !== 'object' || s === null) throw new Error('the tfjs engine has no state (tfjs version changed?)')
    return s
  }
  return {
    gradients: method<GradientsFn>('gradients'),
    addTapeNode: method<AddTapeNodeFn>('addTapeNode'),
    setGradients: (f) => void Reflect.set(engine, 'gradients', f),
    setAddTapeNode: (f) => void Reflect.set(engine, 'addTapeNode', f),
    tape: () => {
      const t: unknown = Reflect.get(state(), 'activeTape')
      // The engine's own array of tape nodes (shape above).
      return Array.isArray(t) ? (t as TapeNode[]) : undefined
    },
    gradientDepth: () => {
      const d: unknown = Reflect.get(state(), 'gradientDepth')
      return typeof d === 'number' ? d : 0
    },
  }
}
