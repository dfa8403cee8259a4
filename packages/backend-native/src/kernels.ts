/**
 * Every kernel the native backend implements itself (the rest are the cpu kernels, copied in
 * unchanged). Order does not matter; names are unique (checked by the census test).
 */
import type * as tf from '@tensorflow/tfjs'
import { addNKernel, binaryKernels } from './kernels/binary.ts'
import { castKernel } from './kernels/cast.ts'
import { concatKernel, padV2Kernel, sliceKernel, splitVKernel } from './kernels/concat-slice.ts'
import { gatherKernel, unsortedSegmentSumKernel } from './kernels/gather.ts'
import { batchMatMulKernel, fusedMatMulKernel, linearKernel } from './kernels/matmul.ts'
import { reduceKernels } from './kernels/reduce.ts'
import { softmaxKernel } from './kernels/softmax.ts'
import { packKernel, tileKernel } from './kernels/tile-pack.ts'
import { transposeKernel } from './kernels/transpose.ts'
import { unaryKernels } from './kernels/unary.ts'
import { adamwKernel } from './ops/adamw.ts'
import { emaKernel } from './ops/ema.ts'
import { attentionKernels } from './ops/fused-attention.ts'
import { geluKernels } from './ops/fused-gelu.ts'
import { layerNormKernels } from './ops/fused-layer-norm.ts'

/** Kernels replacing cpu kernels of the same name (float32 paths; other cases defer to cpu). */
export const overrideKernels: readonly tf.KernelConfig[] = [
  batchMatMulKernel,
  fusedMatMulKernel,
  ...binaryKernels,
  addNKernel,
  ...unaryKernels,
  transposeKernel,
  ...reduceKernels,
  softmaxKernel,
  gatherKernel,
  unsortedSegmentSumKernel,
  concatKernel,
  sliceKernel,
  splitVKernel,
  padV2Kernel,
  tileKernel,
  packKernel,
  castKernel,
]

/**
 * Kernels for the ops of @jepa-ts/ops (forward and backward kernels), which exist only on
 * `native`; the ops package defines them and registers their gradients.
 */
export const fusedKernels: readonly tf.KernelConfig[] = [...layerNormKernels, ...geluKernels, ...attentionKernels, linearKernel, adamwKernel, emaKernel]

/** Names of every kernel with a native implementation. */
export const NATIVE_KERNELS: readonly string[] = [...overrideKernels, ...fusedKernels].map((k) => k.kernelName)
