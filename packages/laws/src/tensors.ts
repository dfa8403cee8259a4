/**
 * Host-side comparisons the laws need: bit equality, closeness, finiteness — each returning the
 * first place that differs in words, so a law's failure names the param path and the element.
 *
 * Contract: nothing here disposes or mutates its inputs; reads are synchronous (`dataSync`), which
 * is fine for the tiny tensors a law uses.
 */
import * as tf from '@tensorflow/tfjs'
import { type ParamTree, flatten } from '@jepa-ts/core'

/** A tensor read back to the host. */
export interface HostTensor {
  readonly shape: readonly number[]
  readonly data: Float32Array | Int32Array | Uint8Array
}

/** Reads a tensor to the host. */
export const host = (t: tf.Tensor): HostTensor => ({ shape: t.shape, data: t.dataSync() as Float32Array | Int32Array | Uint8Array })

/** `[2, 3]` → `"[2, 3]"`. */
export const showShape = (s: readonly number[]): string => `[${s.join(', ')}]`

const indexText = (shape: readonly number[], flat: number): string => {
  const idx: number[] = []
  let r = flat
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!
    idx.unshift(n === 0 ? 0 : r % n)
    r = n === 0 ? 0 : Math.floor(r / n)
  }
  return `[${idx.join(', ')}]`
}

/** Undefined when equal bit for bit (same shape, same values, NaN equal to NaN); else where they differ. */
export const bitDifference = (a: HostTensor, b: HostTensor): string | undefined => {
  if (a.shape.join(',') !== b.shape.join(',')) return `shapes ${showShape(a.shape)} vs ${showShape(b.shape)}`
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]!
    const y = b.data[i]!
    if (!(Object.is(x, y) || x === y)) return `element ${indexText(a.shape, i)}: ${x} vs ${y}`
  }
  return undefined
}

/** Undefined when |a − b| ≤ atol + rtol·|b| everywhere; else the worst element. */
export const closeDifference = (a: HostTensor, b: HostTensor, atol: number, rtol: number): string | undefined => {
  if (a.shape.join(',') !== b.shape.join(',')) return `shapes ${showShape(a.shape)} vs ${showShape(b.shape)}`
  let worst = -1
  let worstExcess = 0
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]!
    const y = b.data[i]!
    if (Object.is(x, y)) continue // equal values, NaN included (finiteness is another law's business)
    const excess = Math.abs(x - y) - (atol + rtol * Math.abs(y))
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i
      worstExcess = excess
    }
  }
  return worst < 0 ? undefined : `element ${indexText(a.shape, worst)}: ${a.data[worst]} vs ${b.data[worst]} (tolerance ${atol} + ${rtol}·|x|)`
}

/** Undefined when every value is finite; else the first non-finite element. */
export const nonFinite = (a: HostTensor): string | undefined => {
  for (let i = 0; i < a.data.length; i++) if (!Number.isFinite(a.data[i]!)) return `element ${indexText(a.shape, i)} is ${a.data[i]}`
  return undefined
}

/** Undefined when two trees have the same paths (in order) and bit-identical leaves; else the first difference. */
export const treeBitDifference = (a: ParamTree, b: ParamTree): string | undefined => {
  const fa = flatten(a)
  const fb = flatten(b)
  const pa = fa.map(([p]) => p).join(', ')
  const pb = fb.map(([p]) => p).join(', ')
  if (pa !== pb) return `paths differ: {${pa}} vs {${pb}}`
  for (let i = 0; i < fa.length; i++) {
    const d = bitDifference(host(fa[i]![1]), host(fb[i]![1]))
    if (d !== undefined) return `${fa[i]![0]}: ${d}`
  }
  return undefined
}

/** Undefined when every leaf is finite; else the first path and element that is not. */
export const treeNonFinite = (t: ParamTree): string | undefined => {
  for (const [path, leaf] of flatten(t)) {
    const d = nonFinite(host(leaf))
    if (d !== undefined) return `${path}: ${d}`
  }
  return undefined
}

/** Live tensors of the engine. */
export const liveTensors = (): number => tf.memory().numTensors

/**
 * Runs `f` in a tfjs scope: every tensor `f` makes is released when it returns (or throws), and its
 * host result is passed through — `tf.tidy` for functions that return host values.
 */
export const inScope = <T>(f: () => T): T => {
  const engine = tf.engine()
  engine.startScope()
  try {
    return f()
  } finally {
    engine.endScope()
  }
}
