/**
 * How an op picks its implementation: when the active backend has a kernel registered under the
 * op's name and every input is float32, the op runs that kernel (one `runKernel`, recorded on the
 * tape with the gradient this package registers); otherwise it computes the same function from
 * stock tfjs ops, which tfjs differentiates itself. The op never asks which backend is active,
 * only whether a kernel exists for its name — so a backend opts in by registering kernels
 * (`native` today; `webgpu` the same way), and model code calls the op on every backend.
 *
 * Gradients of the kernels are registered once, lazily, before the first kernel runs
 * (`registerOpGradients`), so importing this package has no side effect.
 */
import * as tf from '@tensorflow/tfjs'

/** True when the active backend registered `kernelName` and every input is float32. */
export const hasKernel = (kernelName: string, ...inputs: readonly tf.Tensor[]): boolean =>
  tf.getKernel(kernelName, tf.getBackend()) !== undefined && inputs.every((t) => t.dtype === 'float32')

const gradients: tf.GradConfig[] = []

/** Adds a gradient to the set `registerOpGradients` registers (called by each op module). */
export const declareGradient = (g: tf.GradConfig): void => {
  gradients.push(g)
}

/** Registers every declared op gradient with tfjs (idempotent; also done before a kernel runs). */
export const registerOpGradients = (): void => {
  for (const g of gradients) if (tf.getGradient(g.kernelName) === undefined) tf.registerGradient(g)
}

/** Runs a single-output kernel. */
export const runKernel1 = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor => {
  registerOpGradients()
  const r = tf.engine().runKernel(name, inputs, attrs)
  if (Array.isArray(r)) throw new Error(`${name}: expected one output`)
  return r
}

/** Runs a multi-output kernel and checks it returned `n` tensors. */
export const runKernelN = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap, n: number): tf.Tensor[] => {
  registerOpGradients()
  const r = tf.engine().runKernel(name, inputs, attrs)
  if (!Array.isArray(r) || r.length !== n) throw new Error(`${name}: expected ${n} outputs`)
  return r
}

/** A number attribute, or the default when absent (attrs arrive untyped). */
export const numAttr = (attrs: tf.NamedAttrMap, name: string, dflt: number): number => {
  const v = attrs[name]
  return typeof v === 'number' ? v : dflt
}

/** `[a, b, c]` for error messages. */
export const showShape = (t: tf.Tensor | tf.TensorInfo): string => `[${t.shape.join(', ')}]`
