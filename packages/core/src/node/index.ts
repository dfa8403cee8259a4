/**
 * @jepa-ts/core/node — the node-side half of core: file IO. Config files (`readJsonConfig`),
 * atomic file replacement (`atomicWriteFile`), safetensors param files (`saveParams`,
 * `loadParams`, `loadParamsInto`) and the `torch.save` reader over files (`fileSource`,
 * `openTorchFile`). Everything else of core (`@jepa-ts/core`) is browser-safe.
 */
export * from './read-json.ts'
export * from './atomic-write.ts'
export * from './params-files.ts'
export * from './file-source.ts'
export * from './torch-file-open.ts'
