/**
 * @jepa-ts/ops — the fused ops model code calls: `layerNorm`, `gelu`, `attention`,
 * `linear`, `adamwUpdate` (+ its host form), `emaUpdate`. Each is defined once by kernel name
 * (`OP_KERNELS`), with its composite definition from stock tfjs ops as the fallback and its
 * gradient registered once, here. A backend accelerates an op by registering a kernel under that
 * name (the native backend does, for all of them); the op runs the kernel when the active backend
 * has it and the composite otherwise, so model code never asks which backend is active.
 * Browser-safe: depends on @tensorflow/tfjs only.
 */
export { hasKernel, registerOpGradients } from './dispatch.ts'
export { LAYER_NORM, LAYER_NORM_GRAD, layerNorm, layerNormComposite } from './layer-norm.ts'
export { GELU, GELU_GRAD, gelu, geluComposite } from './gelu.ts'
export { ATTENTION, ATTENTION_GRAD, attention, attentionComposite } from './attention.ts'
export { LINEAR, linear, linearComposite } from './linear.ts'
export {
  ADAMW,
  type AdamWCoefficients,
  type AdamWHostState,
  type AdamWHyper,
  type AdamWState,
  adamwCoefficients,
  adamwComposite,
  adamwHostState,
  adamwUpdate,
  adamwUpdateInPlace,
} from './adamw.ts'
export { EMA, emaComposite, emaUpdate } from './ema.ts'
export { OP_KERNELS } from './kernel-names.ts'
