/**
 * @jepa-ts/backend-native — a native CPU backend for tfjs (`native`): OpenBLAS GEMM and C++
 * kernels behind a Node-API addon, sharing the cpu backend's data store so every kernel without
 * a native version runs the cpu kernel with no copy. Importing never throws; when the addon did
 * not build, `registerNativeBackend()` returns the reason. The fused ops (`fusedLayerNorm`,
 * `fusedGelu`, `fusedAttention`, `adamwUpdate`, `emaUpdate`) run one native kernel on `native`
 * and the equivalent composite tfjs ops on any other backend.
 */
export { registerNativeBackend, activeNativeBackend, NATIVE_PRIORITY, type RegisterResult } from './register.ts'
export { loadAddon, loadAddonAt, ADDON_PATH, WORKER_REASON, type AddonResult } from './addon.ts'
export { chooseBuild, hostCpu, X86_64_V2, X86_64_V3, X86_64_V4, type BuildChoice, type BuildLevel, type CpuDescription } from './cpu.ts'
export type { AddonInfo, NativeAddon } from './addon-types.ts'
export { NativeBackend, type KernelStats, type KernelTime } from './backend.ts'
export { NATIVE_KERNELS } from './kernels.ts'
export { CPU_FALLBACKS, isCustomGradWrapper } from './census.ts'
export { BACKEND_NAME } from './kernel-util.ts'
export { fusedLayerNorm } from './ops/fused-layer-norm.ts'
export { fusedGelu } from './ops/fused-gelu.ts'
export { fusedAttention } from './ops/fused-attention.ts'
export { adamwUpdate, type AdamWHyper, type AdamWState } from './ops/adamw.ts'
export { emaUpdate } from './ops/ema.ts'
