/**
 * Safetensors and param trees as bytes: a validating reader and a writer for the format, param
 * trees to and from bytes (tfjs), and the restricted `torch.save` reader and writer over bytes (zip
 * container, data-only unpickler, lazy tensor reads). Browser-safe; files are `@jepa-ts/core/node`.
 */
export { type SafetensorsDtype, type MemoryKind, DTYPES, isSafetensorsDtype, halfToFloatBits } from './dtypes.ts'
export * from './safetensors-error.ts'
export * from './safetensors.ts'
export * from './bytes.ts'
export * from './crc32.ts'
export * from './params-file.ts'
export * from './torch-error.ts'
export * from './random-access.ts'
export * from './zip-directory.ts'
export * from './pickle.ts'
export * from './torch-file.ts'
export * from './torch-save.ts'
