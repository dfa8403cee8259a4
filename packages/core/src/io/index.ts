/**
 * Safetensors and param-tree files: a validating reader and a writer for the format (pure), param
 * trees to and from bytes and files (tfjs), atomic file replacement, and the restricted `torch.save`
 * reader (zip container, data-only unpickler, lazy tensor reads; node side).
 */
export { type SafetensorsDtype, type MemoryKind, DTYPES, isSafetensorsDtype, halfToFloatBits } from './dtypes.ts'
export * from './safetensors-error.ts'
export * from './safetensors.ts'
export * from './bytes.ts'
export * from './atomic-write.ts'
export * from './params-file.ts'
export * from './torch-error.ts'
export * from './random-access.ts'
export * from './zip-directory.ts'
export * from './pickle.ts'
export * from './torch-file.ts'
export * from './torch-save.ts'
