/**
 * Safetensors and param-tree files: a validating reader and a writer for the format (pure), param
 * trees to and from bytes and files (tfjs), and atomic file replacement.
 */
export { type SafetensorsDtype, type MemoryKind, DTYPES, isSafetensorsDtype, halfToFloatBits } from './dtypes.ts'
export * from './safetensors-error.ts'
export * from './safetensors.ts'
export * from './atomic-write.ts'
export * from './params-file.ts'
