/**
 * The contract of the compiled addon `jepa_native.node` (sources in `native/`). Every function
 * writes into the output typed array(s) passed first, reads the inputs (which may be subarray
 * views), and throws a `TypeError` when the lengths disagree with the sizes. Shapes are plain
 * arrays of non-negative integers; strides are element strides (0 on a broadcast dim).
 */

/** Binary op codes of `binary` (order mirrors `native/kernels.h`). */
export const BinaryOp = { Add: 0, Sub: 1, Mul: 2, Div: 3, Max: 4, Min: 5, SqDiff: 6, Pow: 7, Prelu: 8, Atan2: 9 } as const
export type BinaryOpCode = (typeof BinaryOp)[keyof typeof BinaryOp]

/** Unary op codes of `unary` (order mirrors `native/kernels.h`). */
export const UnaryOp = {
  Exp: 0, Log: 1, Tanh: 2, Erf: 3, Rsqrt: 4, Sqrt: 5, Square: 6, Neg: 7, Relu: 8, Abs: 9, Sigmoid: 10,
  Reciprocal: 11, Log1p: 12, Expm1: 13, Sin: 14, Cos: 15, Relu6: 16, Step: 17, Sign: 18, Floor: 19,
  Ceil: 20, Round: 21, Softplus: 22, Elu: 23, Selu: 24, LeakyRelu: 25, IsNan: 26, Linear: 27,
} as const
export type UnaryOpCode = (typeof UnaryOp)[keyof typeof UnaryOp]

/** Reduction op codes of `reduce`. */
export const ReduceOp = { Sum: 0, Mean: 1, Max: 2, Min: 3, Prod: 4 } as const
export type ReduceOpCode = (typeof ReduceOp)[keyof typeof ReduceOp]

/** What `info()` reports. */
export interface AddonInfo {
  readonly blasThreads: number
  readonly poolThreads: number
  readonly blasConfig: string
  /** Bytes malloc has handed out and not taken back (mallinfo2: uordblks + hblkhd). */
  readonly mallocInUse: number
}

export interface NativeAddon {
  /** out[batch] = op(a)·op(b); batch shapes have equal rank, size-1 dims broadcast. */
  matMul(out: Float32Array, a: Float32Array, b: Float32Array, outBatch: number[], aBatch: number[], bBatch: number[], m: number, n: number, k: number, transA: boolean, transB: boolean): void
  binary(op: BinaryOpCode, out: Float32Array, a: Float32Array, b: Float32Array, shape: number[], aStrides: number[], bStrides: number[]): void
  unary(op: UnaryOpCode, out: Float32Array, a: Float32Array, alpha: number): void
  transpose(out: Float32Array, a: Float32Array, shape: number[], perm: number[]): void
  /** Reduces `a` viewed as [outer, red, inner] over the middle axis. */
  reduce(op: ReduceOpCode, out: Float32Array, a: Float32Array, outer: number, red: number, inner: number): void
  softmax(out: Float32Array, logits: Float32Array, cols: number, log: boolean): void
  /** Returns -1, or the position of the first out-of-range index (nothing is written then). */
  gather(out: Float32Array, x: Float32Array, indices: Int32Array, outer: number, axisDim: number, inner: number): number
  unsortedSegmentSum(out: Float32Array, x: Float32Array, segmentIds: Int32Array, inner: number, numSegments: number): void
  slice(out: Float32Array, a: Float32Array, shape: number[], begin: number[], size: number[]): void
  layerNorm(y: Float32Array, x: Float32Array, gamma: Float32Array, beta: Float32Array, eps: number): void
  layerNormGrad(dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, dy: Float32Array, x: Float32Array, gamma: Float32Array, eps: number): void
  gelu(y: Float32Array, x: Float32Array): void
  geluGrad(dx: Float32Array, dy: Float32Array, x: Float32Array): void
  attention(out: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, bh: number, nq: number, nk: number, dh: number, scale: number): void
  attentionGrad(dq: Float32Array, dk: Float32Array, dv: Float32Array, dout: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, bh: number, nq: number, nk: number, dh: number, scale: number): void
  adamw(pOut: Float32Array, mOut: Float32Array, vOut: Float32Array, p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, bc1: number, bc2: number): void
  ema(out: Float32Array, target: Float32Array, online: Float32Array, momentum: number): void
  info(): AddonInfo
  /** Sets the pool's thread count and OpenBLAS's to `threads` (1..256; see src/threads.ts). */
  setThreads(threads: number): void
  /** Test hook of the boundary: raises one kind of C++ exception, which must arrive as a JS error. */
  throwForTest(kind: 'bad_alloc' | 'runtime_error' | 'int' | 'pool'): void
}

/** The names `asAddon` checks before trusting a loaded module. */
export const ADDON_FUNCTIONS: readonly (keyof NativeAddon)[] = [
  'matMul', 'binary', 'unary', 'transpose', 'reduce', 'softmax', 'gather', 'unsortedSegmentSum', 'slice',
  'layerNorm', 'layerNormGrad', 'gelu', 'geluGrad', 'attention', 'attentionGrad', 'adamw', 'ema', 'info', 'setThreads', 'throwForTest',
]
