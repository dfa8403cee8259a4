/**
 * The ViT-block benchmark of DESIGN §5, next to its PyTorch twin, in one command:
 *
 *   pnpm exec tsx bench/vit-block.ts [--sweep] [--backends native,native-composite,wasm] [--rounds 2] [--steps 3] [--profile]
 *
 * Each (backend, shape) runs in its own worker process (clean peak RSS, no cross-talk), rounds
 * interleave the backends with the PyTorch twin (this machine is shared and noisy), and the table
 * reports the best step (least disturbed by other processes), GFLOP/s (matmul FLOPs of fwd+bwd),
 * images/s, peak RSS, and the ratio of images/s against PyTorch paired within each round (so
 * both sides saw similar load), as the median over rounds with every round's value. `--sweep` adds batch 16/64/256,
 * depth 4/12 and tokens 49/196 (grid 7×7/14×14). `--profile` prints where the native step's time
 * goes, per kernel (tf.profile), plus the share spent outside kernels. Backends: `native` (fused
 * layer norm/GELU/attention), `native-composite` (stock tfjs ops on native kernels), `wasm`, `cpu`.
 */
import { spawnSync } from 'node:child_process'
import { loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import { activate, argValue, intArg, median } from './bench-util.ts'
import { DESIGN_BLOCK, initParams, lossAndGrads, stepFlops, type BlockConfig } from './vit-block-model.ts'

const here = dirname(fileURLToPath(import.meta.url))

interface Result {
  readonly backend: string
  /** The fastest timed step (the least disturbed by other processes on a shared machine). */
  readonly stepSeconds: number
  readonly peakRssMiB: number
}


const configFromArgs = (): BlockConfig => ({
  batch: intArg('--batch', DESIGN_BLOCK.batch),
  tokens: intArg('--tokens', DESIGN_BLOCK.tokens),
  dim: intArg('--dim', DESIGN_BLOCK.dim),
  heads: intArg('--heads', DESIGN_BLOCK.heads),
  depth: intArg('--depth', DESIGN_BLOCK.depth),
})

// ---------------------------------------------------------------- worker (one backend, one shape)

const worker = async (backend: string): Promise<void> => {
  await activate(backend)
  const c = configFromArgs()
  const fused = backend === 'native'
  const warmup = intArg('--warmup', 1)
  const steps = intArg('--steps', 3)
  const params = initParams(c)
  const x = tf.randomNormal([c.batch, c.tokens, c.dim], 0, 1, 'float32', 7)
  const step = async (): Promise<void> => {
    const { loss, grads } = lossAndGrads(params, x, c, fused)
    await loss.data()
    loss.dispose()
    for (const g of grads.values()) g.dispose()
  }
  for (let i = 0; i < warmup; i++) await step()
  if (process.argv.includes('--profile')) {
    const t0 = performance.now()
    const info = await tf.profile(step)
    const wall = performance.now() - t0
    const per = new Map<string, { ms: number; calls: number }>()
    let total = 0
    for (const k of info.kernels) {
      const ms = await k.kernelTimeMs
      const t = typeof ms === 'number' ? ms : 0
      const e = per.get(k.name) ?? { ms: 0, calls: 0 }
      per.set(k.name, { ms: e.ms + t, calls: e.calls + 1 })
      total += t
    }
    const rows = [...per.entries()].sort((a, b) => b[1].ms - a[1].ms)
    console.log(`profile of one ${backend} step (tf.profile, wall ${wall.toFixed(0)} ms with profiling overhead; kernels ${total.toFixed(0)} ms)`)
    console.log('| kernel | calls | ms | share of kernel time |')
    console.log('|---|---|---|---|')
    for (const [name, e] of rows.slice(0, 16)) console.log(`| ${name} | ${e.calls} | ${e.ms.toFixed(1)} | ${((100 * e.ms) / total).toFixed(1)}% |`)
    return
  }
  const times: number[] = []
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now()
    await step()
    times.push((performance.now() - t0) / 1000)
  }
  const result: Result = { backend, stepSeconds: Math.min(...times), peakRssMiB: process.resourceUsage().maxRSS / 1024 }
  console.log(JSON.stringify(result))
}

// ---------------------------------------------------------------- parent (the table)

const shapeArgs = (c: BlockConfig): string[] => ['--batch', `${c.batch}`, '--tokens', `${c.tokens}`, '--dim', `${c.dim}`, '--heads', `${c.heads}`, '--depth', `${c.depth}`]

const parseResult = (stdout: string): Result | undefined => {
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'))
  if (line === undefined) return undefined
  const v: unknown = JSON.parse(line)
  if (typeof v !== 'object' || v === null) return undefined
  const backend = Reflect.get(v, 'backend')
  const stepSeconds = Reflect.get(v, 'stepSeconds')
  const peakRssMiB = Reflect.get(v, 'peakRssMiB')
  return typeof backend === 'string' && typeof stepSeconds === 'number' && typeof peakRssMiB === 'number' ? { backend, stepSeconds, peakRssMiB } : undefined
}

const runTorch = (c: BlockConfig, steps: number): Result | string => {
  // Same OpenBLAS settings as the native addon (which parks idle BLAS threads, DESIGN §4b).
  const env = { ...process.env, OPENBLAS_THREAD_TIMEOUT: process.env.OPENBLAS_THREAD_TIMEOUT ?? '4' }
  const r = spawnSync('/usr/bin/python3', [join(here, 'vit_block_torch.py'), ...shapeArgs(c), '--steps', `${steps}`], { encoding: 'utf8', env })
  return parseResult(r.stdout ?? '') ?? `pytorch failed: ${(r.stderr ?? r.error?.message ?? '').trim().split('\n').pop()}`
}

const runWorker = (backend: string, c: BlockConfig, steps: number, extra: string[] = []): Result | string => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--worker', backend, ...shapeArgs(c), '--steps', `${steps}`, ...extra], {
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  })
  if (extra.includes('--profile')) return r.status === 0 ? (r.stdout ?? '') : `profile failed: ${r.stderr}`
  return parseResult(r.stdout ?? '') ?? `${backend} failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' / ')}`
}


const parent = (): void => {
  const backends = (argValue('--backends') ?? 'native,native-composite,wasm').split(',')
  const rounds = intArg('--rounds', 2)
  const steps = intArg('--steps', 3)
  const configs: BlockConfig[] = [DESIGN_BLOCK]
  if (process.argv.includes('--sweep')) {
    for (const batch of [64, 256]) configs.push({ ...DESIGN_BLOCK, batch })
    configs.push({ ...DESIGN_BLOCK, depth: 12 })
    for (const tokens of [49, 196]) configs.push({ ...DESIGN_BLOCK, tokens })
  }
  console.log(`ViT-block step (DESIGN §5): pre-norm blocks, D=${DESIGN_BLOCK.dim}, ${DESIGN_BLOCK.heads} heads, MLP 4×, loss mean(x²), fwd+bwd; ${rounds} interleaved round(s) × ${steps} timed steps; best step, ratio paired per round`)
  console.log(`node ${process.version}, OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? '(unset)'}, OPENBLAS_THREAD_TIMEOUT=${process.env.OPENBLAS_THREAD_TIMEOUT ?? '4'} (both sides), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, ${new Date().toISOString()}`)
  console.log('')
  console.log('| shape (B×N, depth) | backend | best step s | GFLOP/s | images/s | peak RSS MiB | images/s ÷ PyTorch: median of rounds (each round) |')
  console.log('|---|---|---|---|---|---|---|')
  for (const c of configs) {
    const sweepSlow = c.batch > 64 || c.tokens > 64 || c.depth > 4
    const bs = backends.filter((b) => !(sweepSlow && (b === 'cpu' || b === 'wasm')) || c === DESIGN_BLOCK)
    const all = new Map<string, Result[]>()
    const errors: string[] = []
    for (let r = 0; r < rounds; r++) {
      const order = ['pytorch', ...bs]
      for (const b of r % 2 === 0 ? order : [...order].reverse()) {
        const res = b === 'pytorch' ? runTorch(c, steps) : runWorker(b, c, steps)
        if (typeof res === 'string') errors.push(res)
        else all.set(b, [...(all.get(b) ?? []), res])
      }
    }
    const flops = stepFlops(c)
    const torch = all.get('pytorch')
    for (const b of ['pytorch', ...bs]) {
      const rs = all.get(b)
      if (rs === undefined) continue
      const step = Math.min(...rs.map((t) => t.stepSeconds))
      const name = b === 'pytorch' ? (rs[0]?.backend ?? b) : b
      // Ratio of images/s in each round (the two ran minutes apart at most), then the median.
      const paired = torch === undefined ? [] : rs.flatMap((t, i) => (torch[i] === undefined ? [] : [torch[i]!.stepSeconds / t.stepSeconds]))
      console.log(
        `| ${c.batch}×${c.tokens}, ${c.depth} | ${name} | ${step.toFixed(3)} | ${(flops / step / 1e9).toFixed(1)} | ${(c.batch / step).toFixed(1)} | ${Math.max(...rs.map((t) => t.peakRssMiB)).toFixed(0)} | ${median(paired).toFixed(2)} (${paired.map((r) => r.toFixed(2)).join(', ')}) |`,
      )
    }
    for (const e of errors) console.log(`| ${c.batch}×${c.tokens}, ${c.depth} | error | ${e} | | | | |`)
  }
  if (process.argv.includes('--profile')) {
    console.log('')
    const out = runWorker('native', DESIGN_BLOCK, 1, ['--profile'])
    console.log(typeof out === 'string' ? out : JSON.stringify(out))
  }
}

const w = argValue('--worker')
if (w !== undefined) await worker(w)
else parent()
