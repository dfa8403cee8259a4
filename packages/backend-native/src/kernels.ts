/**
 * Every kernel the native backend implements itself (the rest are the cpu kernels, copied in
 * unchanged). Order does not matter; names are unique (checked by the census test).
 */
import type * as tf from '@tensorflow/tfjs'
import { addNKernel, binaryKernels } from './kernels/binary.ts'
import { castKernel } from './kernels/cast.ts'
import { concatKernel, padV2Kernel, sliceKernel, splitVKernel } from './kernels/concat-slice.ts'
import { gatherKernel, unsortedSegmentSumKernel } from './kernels/gather.ts'
import { batchMatMulKernel, fusedMatMulKernel } from './kernels/matmul.ts'
import { reduceKernels } from './kernels/reduce.ts'
import { softmaxKernel } from './kernels/softmax.ts'
import { packKernel, tileKernel } from './kernels/tile-pack.ts'
import { transposeKernel } from './kernels/transpose.ts'
import { unaryKernels } from './kernels/unary.ts'
import { adamwKernel } from './ops/adamw.ts'
import { emaKernel } from './ops/ema.ts'
import { attentionGradConfig, attentionKernels } from './ops/fused-attention.ts'
import { geluGradConfig, geluKernels } from './ops/fused-gelu.ts'
import { layerNormGradConfig, layerNormKernels } from './ops/fused-layer-norm.ts'

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

/** New kernels (fused ops and their backward kernels) that exist only on `native`. */
export const fusedKernels: readonly tf.KernelConfig[] = [...layerNormKernels, ...geluKernels, ...attentionKernels, adamwKernel, emaKernel]

/** Gradients of the fused forward kernels. */
export const fusedGradients: readonly tf.GradConfig[] = [layerNormGradConfig, geluGradConfig, attentionGradConfig]

/** Names of every kernel with a native implementation. */
export const NATIVE_KERNELS: readonly string[] = [...overrideKernels, ...fusedKernels].map((k) => k.kernelName)
