/**
 * The census contract: every kernel a family training step executes on `native` is either in
 * `NATIVE_KERNELS` or listed here with the reason it may stay on the cpu kernel. Each reason says
 * why the cpu kernel costs (almost) nothing: it moves no data, or touches tiny int/bool tensors.
 * A step that runs a kernel in neither list fails `test/backend-native/census.test.ts`.
 */
export const CPU_FALLBACKS: Readonly<Record<string, string>> = {
  Reshape: 'metadata only: shares the input data (refcount), no copy',
  Identity: 'metadata only: shares the input data',
  Cast: 'native for int32/bool → float32 (a fresh Float32Array); other casts (to int32 or bool, float32→float32) stay on cpu',
  Fill: 'fills a fresh array (zeros/ones seeds of the gradient); memory-bound JS loop',
  ZerosLike: 'allocates a zero-filled array; nothing faster exists',
  OnesLike: 'allocates a one-filled array (the gradient seed)',
  Range: 'builds small int32 index vectors',
  Equal: 'bool comparisons on index tensors (gradient of Max/Min compares with the max)',
  NotEqual: 'bool comparisons on small tensors',
  Greater: 'bool comparisons (gradients of Relu/Maximum build masks via Step instead; kept for clarity)',
  GreaterEqual: 'bool mask of the Maximum/Minimum gradient; one pass, no arithmetic worth fusing',
  LessEqual: 'bool mask of the Maximum/Minimum gradient',
  Less: 'bool mask comparisons',
  Select: 'where(mask, a, b) in the Maximum/Minimum gradients',
  LogicalAnd: 'combines small bool masks; no float data',
  Tile: 'native for float32; int32/bool tiles (index tensors) stay on cpu',
  Pack: 'native for float32; stacks of int32/bool tensors (mask indices) stay on cpu',
  Unpack: 'unstack shares views of the input',
  ExpandDims: 'metadata only',
  Squeeze: 'metadata only',
  StridedSlice: 'rare, small',
  Complex: 'not used in float32 training',
  Max: 'int32 reductions on index tensors only; float32 Max is native',
  RandomUniform: 'only at init and for dropout seeds, not in the measured step',
  CropAndResize: 'joint-embedding views (random resized crop) run once per batch outside the differentiated step',
  Reverse: 'joint-embedding views (horizontal flip) run once per batch outside the differentiated step',
  ClipByValue: 'joint-embedding views clip pixels to their range once per batch, outside the differentiated step',
}

/**
 * `tf.profile` also lists `tf.customGrad` wrappers under the op's name with a `__op` suffix (e.g.
 * `fusedMatMul__op`, the wrapper of tfjs's fused matMul). They are not kernels: the kernels they run
 * (`_FusedMatMul`, and its gradient's) are listed on their own, so the census skips the wrappers.
 */
export const isCustomGradWrapper = (name: string): boolean => name.endsWith('__op')
