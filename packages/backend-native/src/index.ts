/**
 * @jepa-ts/backend-native — a native CPU backend for tfjs (`native`): OpenBLAS GEMM and C++
 * kernels behind a Node-API addon, sharing the cpu backend's data store so every kernel without
 * a native version runs the cpu kernel with no copy. Importing never throws; when the addon did
 * not build, `registerNativeBackend()` returns the reason. It registers kernels for every op of
 * @jepa-ts/ops (layer norm, GELU, attention, linear, AdamW, EMA), which then run one native kernel
 * on `native`; the ops themselves (and their composite fallbacks) live in @jepa-ts/ops.
 */
export { registerNativeBackend, activeNativeBackend, setThreads, NATIVE_PRIORITY, type RegisterResult } from './register.ts'
export { threadBudget, MAX_THREADS, THREADS_ENV } from './threads.ts'
export { planStats, setBackwardPlanning, type PlanStats } from './planned-gradients.ts'
export { loadAddon, loadAddonAt, ADDON_PATH, WORKER_REASON, type AddonResult } from './addon.ts'
export { chooseBuild, hostCpu, X86_64_V2, X86_64_V3, X86_64_V4, type BuildChoice, type BuildLevel, type CpuDescription } from './cpu.ts'
export type { AddonInfo, NativeAddon } from './addon-types.ts'
export { NativeBackend, type KernelStats, type KernelTime } from './backend.ts'
export { NATIVE_KERNELS } from './kernels.ts'
export { CPU_FALLBACKS, isCustomGradWrapper } from './census.ts'
export { BACKEND_NAME } from './kernel-util.ts'
