/**
 * @jepa-ts/engine — backend selection for Node (`useBackend`: native → wasm → cpu) and the fixes
 * that make the tfjs wasm backend fit for training. Node side: it loads the native addon
 * (`@jepa-ts/backend-native`) and tfjs-backend-wasm, which is why it is not part of
 * `@jepa-ts/core`; models and families never import it (they call the ops of `@jepa-ts/ops`).
 */
export * from './backends.ts'
export * from './wasm-fixes.ts'
export * from './webgpu.ts'
export { WEBGPU_OP_KERNELS, registerWebgpuKernels } from './webgpu-kernels.ts'
export * from './tensorflow.ts'
