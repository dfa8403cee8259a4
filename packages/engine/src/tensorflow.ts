/**
 * The `tensorflow` backend: libtensorflow through `@tensorflow/tfjs-node-gpu` (CUDA) or
 * `@tensorflow/tfjs-node` (CPU), when the user installed one of them next to jepa-ts. They are
 * optional peers, never dependencies here: their install scripts download libtensorflow 2.9.1 from
 * outside the npm registry. `tryTensorflow()` never throws: absent, its reason says what to
 * install and what the GPU build needs (`TENSORFLOW_INSTALL`).
 */
import * as tf from '@tensorflow/tfjs'

/** What to install, said once for every message that needs it. */
export const TENSORFLOW_INSTALL =
  'install @tensorflow/tfjs-node-gpu@4.22.0 (NVIDIA GPU: libtensorflow 2.9.1, which needs CUDA 11.2 and cuDNN 8.1; ' +
  'with CUDA 12, replace libtensorflow.so.2 and libtensorflow_framework.so.2 in node_modules/@tensorflow/tfjs-node-gpu/deps/lib by a libtensorflow 2.x GPU build for CUDA 12) ' +
  'or @tensorflow/tfjs-node@4.22.0 (CPU); both download libtensorflow when installed'

const PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const

export type TensorflowLoad = { readonly ok: true; readonly notice: string } | { readonly ok: false; readonly reason: string }

/** Loads the first installed tfjs-node package and activates its `tensorflow` backend. */
export const tryTensorflow = async (): Promise<TensorflowLoad> => {
  const failures: string[] = []
  for (const name of PACKAGES) {
    try {
      const specifier: string = name // a variable: neither package is a dependency, so neither has types here
      await import(specifier)
    } catch (e) {
      const code = (e as { code?: string }).code
      failures.push(code === 'ERR_MODULE_NOT_FOUND' ? `${name} is not installed` : `${name} did not load: ${e instanceof Error ? e.message.split('\n')[0]! : String(e)}`)
      continue
    }
    if (tf.findBackend('tensorflow') === null) {
      failures.push(`${name} loaded but registered no "tensorflow" backend with this copy of @tensorflow/tfjs (install the version jepa-ts uses, 4.22.0)`)
      continue
    }
    const ok = await tf.setBackend('tensorflow')
    if (ok) return { ok: true, notice: `using libtensorflow from ${name}` }
    failures.push(`tf.setBackend("tensorflow") failed after loading ${name}`)
  }
  return { ok: false, reason: `${failures.join('; ')}; ${TENSORFLOW_INSTALL}` }
}
