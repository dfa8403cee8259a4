/**
 * The DESIGN §5 workload as plain tfjs: `depth` pre-norm transformer blocks (LayerNorm eps 1e-6,
 * qkv with bias, `heads` heads, MLP 4× with exact GELU), input x [B, N, D], loss mean(x_out²),
 * gradients of every weight. `fused: true` uses this package's fused ops (one kernel each for
 * layer norm, GELU and attention on `native`, composite ops elsewhere); `fused: false` writes the
 * same function from stock tfjs ops only. Linear layers reshape to 2-D first (x·W with W [in, out]).
 * Shared by bench/vit-block.ts, the census, gradient-agreement and leak tests.
 */
import * as tf from '@tensorflow/tfjs'
import { attention as fusedAttention, gelu as fusedGelu, layerNorm as fusedLayerNorm } from '@jepa-ts/ops'

export interface BlockConfig {
  readonly batch: number
  readonly tokens: number
  readonly dim: number
  readonly heads: number
  readonly depth: number
}

export const DESIGN_BLOCK: BlockConfig = { batch: 16, tokens: 64, dim: 192, heads: 3, depth: 4 }

/** Flat, named weights: `blocks.{i}.{norm1.weight|attn.qkv.weight|…}`. */
export type BlockParams = Map<string, tf.Variable>

/** Deterministic init from a seeded normal (seed ≠ 0: tfjs treats 0 as unseeded). */
export const initParams = (c: BlockConfig, seed = 1): BlockParams => {
  const p: BlockParams = new Map()
  const d = c.dim
  let s = seed
  const normal = (shape: number[], std: number): tf.Variable => tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, std, 'float32', s++)))
  const fill = (shape: number[], v: number): tf.Variable => tf.tidy(() => tf.variable(tf.fill(shape, v)))
  for (let i = 0; i < c.depth; i++) {
    const b = `blocks.${i}`
    p.set(`${b}.norm1.weight`, fill([d], 1))
    p.set(`${b}.norm1.bias`, fill([d], 0))
    p.set(`${b}.attn.qkv.weight`, normal([d, 3 * d], 0.02))
    p.set(`${b}.attn.qkv.bias`, normal([3 * d], 0.02))
    p.set(`${b}.attn.proj.weight`, normal([d, d], 0.02))
    p.set(`${b}.attn.proj.bias`, normal([d], 0.02))
    p.set(`${b}.norm2.weight`, fill([d], 1))
    p.set(`${b}.norm2.bias`, fill([d], 0))
    p.set(`${b}.mlp.fc1.weight`, normal([d, 4 * d], 0.02))
    p.set(`${b}.mlp.fc1.bias`, normal([4 * d], 0.02))
    p.set(`${b}.mlp.fc2.weight`, normal([4 * d, d], 0.02))
    p.set(`${b}.mlp.fc2.bias`, normal([d], 0.02))
  }
  return p
}

const get = (p: BlockParams, name: string): tf.Variable => {
  const v = p.get(name)
  if (v === undefined) throw new Error(`missing parameter ${name}`)
  return v
}

const layerNorm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, fused: boolean): tf.Tensor => {
  if (fused) return fusedLayerNorm(x, g, b, 1e-6)
  const { mean, variance } = tf.moments(x, -1, true)
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-6))), g), b)
}

const gelu = (x: tf.Tensor, fused: boolean): tf.Tensor => (fused ? fusedGelu(x) : tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)))

const attention = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, fused: boolean): tf.Tensor => {
  const scale = 1 / Math.sqrt(q.shape[3] ?? 1)
  if (fused) return fusedAttention(q, k, v, scale)
  return tf.matMul(tf.softmax(tf.mul(tf.matMul(q, k, false, true), scale)), v)
}

const linear = (x2: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.add(tf.matMul(x2, w), b)

/** Forward pass; x [B, N, D] → [B, N, D]. */
export const forward = (p: BlockParams, x: tf.Tensor, c: BlockConfig, fused: boolean): tf.Tensor => {
  const { batch: bsz, tokens: n, dim: d, heads: h } = c
  const dh = d / h
  let y = tf.reshape(x, [bsz * n, d])
  for (let i = 0; i < c.depth; i++) {
    const b = `blocks.${i}`
    const h1 = layerNorm(y, get(p, `${b}.norm1.weight`), get(p, `${b}.norm1.bias`), fused)
    const qkv = tf.transpose(tf.reshape(linear(h1, get(p, `${b}.attn.qkv.weight`), get(p, `${b}.attn.qkv.bias`)), [bsz, n, 3, h, dh]), [2, 0, 3, 1, 4])
    const [q, k, v] = tf.unstack(qkv)
    if (q === undefined || k === undefined || v === undefined) throw new Error('qkv split failed')
    const o = tf.reshape(tf.transpose(attention(q, k, v, fused), [0, 2, 1, 3]), [bsz * n, d])
    y = tf.add(y, linear(o, get(p, `${b}.attn.proj.weight`), get(p, `${b}.attn.proj.bias`)))
    const h2 = layerNorm(y, get(p, `${b}.norm2.weight`), get(p, `${b}.norm2.bias`), fused)
    const m = linear(gelu(linear(h2, get(p, `${b}.mlp.fc1.weight`), get(p, `${b}.mlp.fc1.bias`)), fused), get(p, `${b}.mlp.fc2.weight`), get(p, `${b}.mlp.fc2.bias`))
    y = tf.add(y, m)
  }
  return tf.reshape(y, [bsz, n, d])
}

/** One training step's math: loss and the gradient of every weight, keyed by parameter path (caller disposes). */
export const lossAndGrads = (p: BlockParams, x: tf.Tensor, c: BlockConfig, fused: boolean): { loss: tf.Scalar; grads: Map<string, tf.Tensor> } => {
  const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(forward(p, x, c, fused))), [...p.values()])
  const byPath = new Map<string, tf.Tensor>()
  for (const [path, v] of p) {
    const g = grads[v.name]
    if (g === undefined) throw new Error(`no gradient for ${path}`)
    byPath.set(path, g)
  }
  return { loss: value, grads: byPath }
}

/** Matmul FLOPs of one forward + backward step (3× the forward's 2·m·n·k). */
export const stepFlops = (c: BlockConfig): number => {
  const rows = c.batch * c.tokens
  const d = c.dim
  const linear = 2 * rows * (d * 3 * d + d * d + 2 * d * 4 * d)
  const attn = 2 * 2 * c.batch * c.tokens * c.tokens * d
  return 3 * c.depth * (linear + attn)
}
