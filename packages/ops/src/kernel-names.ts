/**
 * Every kernel name an op of this package dispatches to: what a backend may register to accelerate
 * the ops (a forward kernel and, for differentiable ops, its backward kernel).
 */
import { ADAMW } from './adamw.ts'
import { ATTENTION, ATTENTION_GRAD } from './attention.ts'
import { EMA } from './ema.ts'
import { GELU, GELU_GRAD } from './gelu.ts'
import { LAYER_NORM, LAYER_NORM_GRAD } from './layer-norm.ts'
import { LINEAR } from './linear.ts'

export const OP_KERNELS: readonly string[] = [LAYER_NORM, LAYER_NORM_GRAD, GELU, GELU_GRAD, ATTENTION, ATTENTION_GRAD, LINEAR, ADAMW, EMA]
