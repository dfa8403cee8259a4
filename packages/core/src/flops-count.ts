/**
 * `countMatmulFlops(f)` — the matmul/conv FLOPs a computation actually performs, counted at
 * execution (the check of the FLOPs interpreter, `infer`'s `flops`, against what runs). It runs
 * `f` under `tf.profile` and, for every kernel that multiplies matrices, adds 2 × the multiply–adds
 * its input and output shapes imply (the interpreter's convention: a multiply–add is 2 FLOPs):
 *
 * - `BatchMatMul`, `_FusedMatMul`: out [..., m, n], a holding m·k per batch → batch·m·n·k;
 * - `Conv2D` (x, filter [kh, kw, cin, cout]) → |out|·kh·kw·cin; its gradients
 *   `Conv2DBackpropInput` (dy, filter) and `Conv2DBackpropFilter` (x, dy → filter) → |dy|·kh·kw·cin;
 * - the kernels of the @jepa-ts/ops ops, where a backend registers them: `JepaLinear` (x [N, k],
 *   weight [n, k]) → N·n·k; `JepaAttention` (q [..., nq, dh], k [..., nk, dh]) → 2 products of
 *   |q|·nk, and `JepaAttentionGrad` → the 4 products of its gradient (any recomputation inside
 *   the kernel is not counted).
 *
 * Every other kernel (elementwise, reductions, softmax, layout) counts 0. Works on any backend;
 * `byKernel` splits the total by kernel name. Kernels run inside another kernel's implementation
 * (not through the engine) are invisible to it, so nothing is counted twice.
 *
 * @example
 * const { flops } = await countMatmulFlops(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 4])))  // 2·2·4·3 = 48
 */
import * as tf from '@tensorflow/tfjs'

/** What `countMatmulFlops` returns: the count, split by kernel name, and `f`'s result. */
export interface MatmulCount<T> {
  /** 2 × multiply–adds performed by matmul/conv kernels. */
  readonly flops: number
  readonly byKernel: ReadonlyMap<string, number>
  readonly result: T
}

const size = (s: readonly number[] | undefined): number => (s === undefined ? 0 : s.reduce((a, b) => a * b, 1))

/** Multiply–adds of one kernel call, from its input and output shapes (0 for a non-matmul kernel). */
export const kernelMacs = (name: string, inputShapes: readonly (readonly number[])[], outputShapes: readonly (readonly number[])[]): number => {
  const out = outputShapes[0] ?? []
  switch (name) {
    case 'BatchMatMul':
    case '_FusedMatMul': {
      const a = inputShapes[0] ?? []
      const m = out[out.length - 2] ?? 0
      if (m === 0 || a.length < 2) return 0
      const k = (a[a.length - 1]! * a[a.length - 2]!) / m
      return size(out) * k
    }
    case 'Conv2D': {
      const f = inputShapes[1] ?? []
      return size(out) * (f[0] ?? 0) * (f[1] ?? 0) * (f[2] ?? 0)
    }
    case 'Conv2DBackpropInput': {
      const f = inputShapes[1] ?? []
      return size(inputShapes[0]) * (f[0] ?? 0) * (f[1] ?? 0) * (f[2] ?? 0)
    }
    case 'Conv2DBackpropFilter':
      return size(inputShapes[1]) * (out[0] ?? 0) * (out[1] ?? 0) * (out[2] ?? 0)
    case 'JepaLinear': {
      const x = inputShapes[0] ?? []
      return size(out) * (x[x.length - 1] ?? 0)
    }
    case 'JepaAttention': {
      const k = inputShapes[1] ?? []
      return 2 * size(inputShapes[0]) * (k[k.length - 2] ?? 0)
    }
    case 'JepaAttentionGrad': {
      // inputs dy, q, k, v (see the attention op of @jepa-ts/ops): dV, dP, dQ, dK.
      const q = inputShapes[1] ?? []
      const k = inputShapes[2] ?? []
      return 4 * size(q) * (k[k.length - 2] ?? 0)
    }
    default:
      return 0
  }
}

/** Runs `f` and counts the matmul/conv FLOPs its kernels performed (see the module comment). */
export const countMatmulFlops = async <T extends tf.TensorContainer>(f: () => T): Promise<MatmulCount<T>> => {
  const ran: { readonly value: T }[] = []
  const info = await tf.profile(() => {
    const value = f()
    ran.push({ value })
    return value
  })
  const first = ran[0]
  if (first === undefined) throw new Error('countMatmulFlops: the profiled function did not run')
  const byKernel = new Map<string, number>()
  let flops = 0
  for (const k of info.kernels) {
    const macs = kernelMacs(k.name, k.inputShapes, k.outputShapes)
    if (macs === 0) continue
    flops += 2 * macs
    byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + 2 * macs)
  }
  return { flops, byKernel, result: first.value }
}
