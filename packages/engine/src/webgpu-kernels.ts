/**
 * WGSL kernels of the fused ops of `@jepa-ts/ops` for tfjs-backend-webgpu: `JepaLayerNorm`,
 * `JepaGelu`, `JepaGeluGrad`, `JepaAttention`. Registered by `registerWebgpuKernels()` once the
 * webgpu backend is loaded (`webgpu.ts`); from then on the ops run these kernels on `webgpu`, and
 * the backward passes of layer norm and attention use the ops' composite gradients (no grad
 * kernels here). Each kernel computes the same function as the op's composite definition
 * (`layerNormComposite`, `geluComposite`, `attentionComposite`); `test/engine/webgpu.test.ts`
 * checks that on SwiftShader.
 *
 * Programs follow tfjs-backend-webgpu's `WebGPUProgram` shape (its shader prelude declares
 * `result`, the input arrays by their `variableNames`, and `uniforms`); they index the flat
 * buffers directly. One thread per element (GELU), per row (layer norm: two passes over D) or per
 * query row (attention: one pass over the keys with a running max, the online softmax).
 */
import * as tf from '@tensorflow/tfjs'

/** The part of `WebGPUProgram` these kernels set. */
interface Program {
  readonly outputShape: number[]
  readonly shaderKey: string
  readonly dispatchLayout: { readonly x: number[] }
  readonly dispatch: [number, number, number]
  readonly variableNames: string[]
  readonly workgroupSize: [number, number, number]
  readonly uniforms?: string
  readonly size?: boolean
  readonly getUserCode: () => string
}

type Uniform = { readonly type: 'int32' | 'float32'; readonly data: number[] }

interface WebgpuBackendLike {
  runWebGPUProgram(program: Program, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms?: Uniform[]): tf.TensorInfo
}

const WORKGROUP = 64
const MAX_GROUPS = 65535

/** Workgroups for `threads` threads of a flat layout (spread over y past the 65535 limit of one axis). */
const flatDispatch = (threads: number): [number, number, number] => {
  const groups = Math.max(1, Math.ceil(threads / WORKGROUP))
  const x = Math.min(groups, MAX_GROUPS)
  return [x, Math.ceil(groups / x), 1]
}

const program = (name: string, outputShape: number[], variableNames: string[], threads: number, uniforms: string, code: string): Program => ({
  outputShape,
  shaderKey: name,
  dispatchLayout: { x: outputShape.map((_, i) => i) },
  dispatch: flatDispatch(threads),
  variableNames,
  workgroupSize: [WORKGROUP, 1, 1],
  uniforms,
  getUserCode: () => code,
})

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

/** erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), the approximation tfjs's own Erf kernels use. */
const ERF = `
  fn jepaErf(v : f32) -> f32 {
    let s = sign(v);
    let a = abs(v);
    let t = 1.0 / (1.0 + 0.3275911 * a);
    let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-a * a);
    return s * y;
  }`

const geluProgram = (shape: number[]): Program =>
  program('jepa_gelu', shape, ['X'], size(shape), 'n : i32,', `${ERF}
  fn main(index : i32) {
    if (index < uniforms.n) {
      let v = X[index];
      result[index] = 0.5 * v * (1.0 + jepaErf(v * 0.7071067811865476));
    }
  }`)

const geluGradProgram = (shape: number[]): Program =>
  program('jepa_gelu_grad', shape, ['Dy', 'X'], size(shape), 'n : i32,', `${ERF}
  fn main(index : i32) {
    if (index < uniforms.n) {
      let v = X[index];
      let cdf = 0.5 * (1.0 + jepaErf(v * 0.7071067811865476));
      let pdf = exp(-0.5 * v * v) * 0.3989422804014327;
      result[index] = Dy[index] * (cdf + v * pdf);
    }
  }`)

const layerNormProgram = (shape: number[]): Program =>
  program('jepa_layer_norm', shape, ['X', 'Gamma', 'Beta'], size(shape) / shape[shape.length - 1]!, 'rows : i32, d : i32, eps : f32,', `
  fn main(row : i32) {
    if (row < uniforms.rows) {
      let d = uniforms.d;
      let base = row * d;
      var mean = 0.0;
      for (var j = 0; j < d; j++) { mean += X[base + j]; }
      mean = mean / f32(d);
      var variance = 0.0;
      for (var j = 0; j < d; j++) { let c = X[base + j] - mean; variance += c * c; }
      let rstd = inverseSqrt(variance / f32(d) + uniforms.eps);
      for (var j = 0; j < d; j++) { result[base + j] = (X[base + j] - mean) * rstd * Gamma[j] + Beta[j]; }
    }
  }`)

/** One thread per query row; `dh` is baked into the shader (the accumulator's length). */
const attentionProgram = (q: readonly number[], nk: number): Program => {
  const [b, h, nq, dh] = q as [number, number, number, number]
  return program(`jepa_attention_${dh}`, [b, h, nq, dh], ['Q', 'K', 'V'], b * h * nq, 'rowsQ : i32, nq : i32, nk : i32, scale : f32,', `
  fn main(row : i32) {
    if (row < uniforms.rowsQ) {
      let head = row / uniforms.nq;
      let qBase = row * ${dh};
      let kBase = head * uniforms.nk * ${dh};
      var acc : array<f32, ${dh}>;
      for (var c = 0; c < ${dh}; c++) { acc[c] = 0.0; }
      var m = -3.4028234663852886e38;
      var l = 0.0;
      for (var j = 0; j < uniforms.nk; j++) {
        var s = 0.0;
        for (var c = 0; c < ${dh}; c++) { s += Q[qBase + c] * K[kBase + j * ${dh} + c]; }
        s = s * uniforms.scale;
        let mNew = max(m, s);
        let correction = exp(m - mNew);
        let p = exp(s - mNew);
        l = l * correction + p;
        for (var c = 0; c < ${dh}; c++) { acc[c] = acc[c] * correction + p * V[kBase + j * ${dh} + c]; }
        m = mNew;
      }
      for (var c = 0; c < ${dh}; c++) { result[qBase + c] = acc[c] / l; }
    }
  }`)
}

const backendOf = (b: unknown): WebgpuBackendLike => b as WebgpuBackendLike

const num = (attrs: tf.NamedAttrMap | undefined, name: string, dflt: number): number => {
  const v = attrs?.[name]
  return typeof v === 'number' ? v : dflt
}

/** The kernel names this module registers for `webgpu`. */
export const WEBGPU_OP_KERNELS: readonly string[] = ['JepaLayerNorm', 'JepaGelu', 'JepaGeluGrad', 'JepaAttention']

let registered = false

/** Idempotently registers the WGSL kernels for the `webgpu` backend. */
export const registerWebgpuKernels = (): void => {
  if (registered) return
  registered = true
  const reg = (kernelName: string, kernelFunc: tf.KernelFunc): void => {
    if (tf.getKernel(kernelName, 'webgpu') === undefined) tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc })
  }
  reg('JepaGelu', ({ inputs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo }
    return backendOf(backend).runWebGPUProgram(geluProgram([...x.shape]), [x], 'float32', [{ type: 'int32', data: [size(x.shape)] }])
  })
  reg('JepaGeluGrad', ({ inputs, backend }) => {
    const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo }
    return backendOf(backend).runWebGPUProgram(geluGradProgram([...x.shape]), [dy, x], 'float32', [{ type: 'int32', data: [size(x.shape)] }])
  })
  reg('JepaLayerNorm', ({ inputs, backend, attrs }) => {
    const { x, gamma, beta } = inputs as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo }
    const d = x.shape[x.shape.length - 1]!
    const uniforms: Uniform[] = [{ type: 'int32', data: [size(x.shape) / d] }, { type: 'int32', data: [d] }, { type: 'float32', data: [num(attrs, 'eps', 1e-6)] }]
    return backendOf(backend).runWebGPUProgram(layerNormProgram([...x.shape]), [x, gamma, beta], 'float32', uniforms)
  })
  reg('JepaAttention', ({ inputs, backend, attrs }) => {
    const { q, k, v } = inputs as { q: tf.TensorInfo; k: tf.TensorInfo; v: tf.TensorInfo }
    const [b, h, nq, dh] = q.shape as [number, number, number, number]
    const nk = k.shape[2]!
    const uniforms: Uniform[] = [{ type: 'int32', data: [b * h * nq] }, { type: 'int32', data: [nq] }, { type: 'int32', data: [nk] }, { type: 'float32', data: [num(attrs, 'scale', 1 / Math.sqrt(dh))] }]
    return backendOf(backend).runWebGPUProgram(attentionProgram(q.shape, nk), [q, k, v], 'float32', uniforms)
  })
}
