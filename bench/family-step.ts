/**
 * One full training step of the I-JEPA, MAE and VICReg families on their Fashion-MNIST presets
 * (examples/configs/{ijepa,mae,vicreg}-fashion.json), ours on each backend next to a PyTorch twin of
 * the same step (bench/family_step_torch.py), in one command:
 *
 *   pnpm exec tsx bench/family-step.ts [--quick] [--sections families,scaling,threads,profile] [--families ijepa,mae,vicreg]
 *       [--backends native,wasm] [--cpu] [--batch 64] [--batches 64,256] [--scale-batch 16] [--rounds 3] [--steps 3]
 *       [--warmup 5] [--calls N] [--threads N] [--thread-counts 1,2,4,8,16]
 *
 * Contract: prints markdown tables only (plus one header line per table saying what each side runs
 * and how FLOPs are counted). Section `families`: each family × backend (native, wasm; cpu with
 * `--cpu`) and PyTorch, at each batch of `--batches` (default: `--batch`). Section `threads`: the
 * I-JEPA step on native vs PyTorch with both sides at each count of `--thread-counts` (default: the
 * powers of two up to the machine's cores) — the thread-scaling curve. Section `scaling`: the I-JEPA step on native vs PyTorch at batch 16/64/256,
 * encoder depth 4/12 and grid 7×7/14×14 (image 28/56, patch 4). `--quick` = batch 16, 1 round,
 * 1 timed step, and the scaling rows at batch 16 only. Section `profile`: one native I-JEPA step at
 * the families' batch with the native backend's kernel clock (`NativeBackend.timeKernels`), time per
 * kernel (a kernel and its gradient kernel together); `--calls N` adds the N costliest kernel calls
 * of the next step, grouped by kernel and shapes.
 *
 * Method (as bench/vit-block.ts): every (side, shape) runs in its own child process (clean peak RSS),
 * rounds interleave the order (PyTorch first in even rounds, last in odd ones), and a round's ratio
 * is ours ÷ PyTorch's images/s from that same round; the table shows the median over rounds and each
 * round. Within a process: `--warmup` untimed steps (default 5: the native backend's buffer pool
 * fills over the first 3–5 steps; both sides get the same count), then images/s = B·steps ÷ Σ step time.
 * Ours is the family's own `step` (built with the constructor and config decoder exactly as
 * packages/cli does, totalSteps 1000) on a fixed random batch in [0, 1); the twin mirrors it layer for
 * layer (see its doc comment). I-JEPA masks: the parent draws them with the family's collator and the
 * same keys the worker's steps use, and hands the same index sets to the twin (the worker checks its
 * context sizes against them). FLOPs come from our layers' `infer` counts: ×3 for a trained branch
 * (forward + backward), ×1 for a no-grad branch; GFLOP/s = that ÷ step time, the same count for
 * both sides. Peak RSS = the child's maxRSS (printed beside every speed, both sides). Threads: both
 * sides get `--threads` (default: the machine's cores) — ours through JEPA_THREADS (the addon's
 * pool and OpenBLAS), PyTorch through torch.set_num_threads — and the same OPENBLAS_THREAD_TIMEOUT
 * (default 4, as the native addon sets). PyTorch: /usr/bin/python3.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import { type AnyLayer, type DimsSig, fold, inferOrThrow, keyOf } from '@jepa-ts/core'
import { randomMasking } from '@jepa-ts/masks'
import type { Family } from '@jepa-ts/train'
import { type IjepaConfig, type MaeConfig, type VicregConfig, decodeIjepaConfigOrThrow, ijepaParts, jointParts, maeParts } from '@jepa-ts/ssl'
import { activeNativeBackend } from '@jepa-ts/backend-native'
import { activate, argValue, intArg, intList, lastJsonLine, median } from './bench-util.ts'
import { FAMILIES, type FamilyName, SEED, type StepSpec, TOTAL_STEPS, buildFamily, decodeConfig, ijepaMasks, stepKey } from './family-spec.ts'

const here = dirname(fileURLToPath(import.meta.url))
/** A StepSpec with the threads both sides run on. */
interface Spec extends StepSpec {
  /** Threads of both sides (ours: JEPA_THREADS; PyTorch: --threads). */
  readonly threads: number
}

/** One process's measurement. */
interface Run {
  readonly stepSeconds: readonly number[]
  readonly peakRssMiB: number
  readonly backend: string
}

// ---------------------------------------------------------------- configs and families

const presetInput = (family: FamilyName): Record<string, unknown> => {
  const v: unknown = JSON.parse(readFileSync(join(here, '..', 'examples', 'configs', `${family}-fashion.json`), 'utf8'))
  if (typeof v !== 'object' || v === null) throw new Error(`${family}-fashion.json is not an object`)
  return { ...v }
}

// ---------------------------------------------------------------- FLOPs (from our layers' infer)

const fwd = (layer: AnyLayer, dims: DimsSig): number => inferOrThrow(layer, dims).flops

/** FLOPs of timed step i and the formula, from `infer` counts at that step's shapes. */
const stepFlops = (spec: Spec, i: number): { readonly flops: number; readonly formula: string } => {
  const B = spec.batch
  const [H, W, C] = spec.config.image
  const img: DimsSig = [B, H, W, C]
  if (spec.family === 'ijepa') {
    const c = spec.config as IjepaConfig
    const p = ijepaParts(c, TOTAL_STEPS)
    const m = spec.masks![i]!
    const [Kc, T, Kt] = [m.context[0]!.length, m.targets.length, m.targets[0]![0]!.length]
    const D = c.encoder.dim
    const target = fwd(p.encoder.layer as AnyLayer, img)
    const context = fwd(p.encoder.embed as AnyLayer, img) + fwd(p.encoder.trunk as AnyLayer, [B, Kc, D])
    const pred = fwd(p.predictor.layer as AnyLayer, [[B, Kc, D], [B, Kc], [T, B, Kt]])
    return { flops: target + 3 * (context + pred), formula: '1×targetViT(B, N) + 3×[patchEmbed(B) + trunk(B, Kc) + predictor(B, Kc, T, Kt)]' }
  }
  if (spec.family === 'mae') {
    const c = spec.config as MaeConfig
    const p = maeParts(c, TOTAL_STEPS)
    const L = p.decoder.tokens
    const K = randomMasking(keyOf(0), 1, L, c.maskRatio).idsKeep.shape[1]
    const D = c.encoder.dim
    const f = fwd(p.encoder.embed as AnyLayer, img) + fwd(p.encoder.trunk as AnyLayer, [B, K, D]) + fwd(p.decoder.embed, [B, K, D]) + fwd(p.decoder.trunk, [B, L, p.decoder.dim])
    return { flops: 3 * f, formula: `3×[patchEmbed(B) + trunk(B, K=${K}) + decoderEmbed(B, K) + decoder(B, L=${L})]` }
  }
  const c = spec.config as VicregConfig
  const p = jointParts(c, TOTAL_STEPS)
  return { flops: 3 * 2 * (fwd(p.encoder.layer as AnyLayer, img) + fwd(p.projector, [B, c.encoder.dim])), formula: '3×2 views×[ViT(B, N) + projector(B)]' }
}

// ---------------------------------------------------------------- worker (our side, one backend)

const readSpec = (path: string): Spec => JSON.parse(readFileSync(path, 'utf8')) as Spec

/** Kernel groups of the profile table: a fused op and its gradient kernel count as one. */
const kernelGroup = (name: string): string => name.replace(/Grad$/, '').replace(/Backprop.*$/, '')

/** Prints `times` as a markdown table, costliest first, with each row's share of `total` ms. */
const printTimes = (header: string, times: ReadonlyMap<string, { ms: number; calls: number }>, total: number, top: number): void => {
  console.log('')
  console.log(`| ${header} | calls | ms | share of kernel time |`)
  console.log('|---|---|---|---|')
  for (const [name, e] of [...times.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) console.log(`| ${name} | ${e.calls} | ${e.ms.toFixed(1)} | ${((100 * e.ms) / total).toFixed(1)}% |`)
}

/**
 * Runs `step` with the native backend's kernel clock on (one clock read around each kernel call;
 * tf.profile's per-kernel times summed to more than the step's wall time): by kernel, then — with
 * `--calls N` — the next step by kernel and shapes, the N costliest.
 */
const printProfile = (spec: Spec, step: () => void): void => {
  const b = activeNativeBackend()
  if (b === undefined) throw new Error('the profile needs the native backend')
  const t0 = performance.now()
  const byName = b.timeKernels(step)
  const wall = performance.now() - t0
  const groups = new Map<string, { ms: number; calls: number }>()
  let total = 0
  for (const [name, e] of byName) {
    const g = groups.get(kernelGroup(name)) ?? { ms: 0, calls: 0 }
    groups.set(kernelGroup(name), { ms: g.ms + e.ms, calls: g.calls + e.calls })
    total += e.ms
  }
  console.log(`profile of one ${spec.family} step on native, B ${spec.batch}: wall ${wall.toFixed(0)} ms, ${total.toFixed(0)} ms inside kernels, ${(wall - total).toFixed(0)} ms outside (JS, tape, collator, host reads)`)
  printTimes('kernel (+ its gradient)', groups, total, 16)
  const top = intArg('--calls', 0)
  if (top > 0) {
    const byShape = b.timeKernels(step, true)
    const total2 = [...byShape.values()].reduce((a, e) => a + e.ms, 0)
    console.log('')
    console.log(`The ${top} costliest kernel calls, by shapes (the next step; ${total2.toFixed(0)} ms inside kernels):`)
    printTimes('kernel inputs → outputs', byShape, total2, top)
  }
}

const worker = async (backend: string, specPath: string): Promise<void> => {
  await activate(backend)
  const spec = readSpec(specPath)
  const family = buildFamily(spec)
  const [H, W, C] = spec.config.image
  let state = family.init(fold(keyOf(SEED), 'init'))
  const images = tf.randomUniform([spec.batch, H, W, C], 0, 1, 'float32', SEED) as tf.Tensor4D
  if (process.argv.includes('--profile')) {
    for (let i = 0; i < spec.warmup; i++) state = family.step(state, images, stepKey(i)).state
    let i = spec.warmup
    printProfile(spec, () => {
      state = family.step(state, images, stepKey(i++)).state
    })
    return
  }
  const times: number[] = []
  for (let i = 0; i < spec.warmup + spec.steps; i++) {
    const t0 = performance.now()
    let out: ReturnType<Family['step']>
    try {
      out = family.step(state, images, stepKey(i))
    } catch (e) {
      // tfjs-wasm aborts with no message when its wasm32 heap (at most 4 GiB) cannot grow.
      const heap: unknown = Reflect.get(Reflect.get(tf.backend(), 'wasm') ?? {}, 'HEAPU8')
      const where = heap instanceof Uint8Array ? ` with the wasm heap at ${(heap.length / 2 ** 20).toFixed(0)} MiB of at most 4096 (out of wasm32 memory)` : ''
      console.error(`REASON: step ${i} threw ${String(e).split('\n')[0]}${where}`)
      process.exit(1)
    }
    state = out.state
    const seconds = (performance.now() - t0) / 1000
    if (!Number.isFinite(out.metrics.loss)) throw new Error(`non-finite loss at step ${i}`)
    const kc = spec.masks?.[i]?.context[0]?.length
    if (kc !== undefined && out.metrics.contextTokens !== kc) throw new Error(`step ${i}: the collator drew Kc ${out.metrics.contextTokens}, the parent's masks have ${kc}`)
    if (i >= spec.warmup) times.push(seconds)
  }
  const run: Run = { backend, stepSeconds: times, peakRssMiB: process.resourceUsage().maxRSS / 1024 }
  console.log(JSON.stringify(run))
}

// ---------------------------------------------------------------- parent (the tables)

const blasTimeout = process.env.OPENBLAS_THREAD_TIMEOUT ?? '4'

const parseRun = (stdout: string, fallbackBackend: string): Run | undefined => {
  const v = lastJsonLine(stdout)
  if (v === undefined) return undefined
  const steps: unknown = Reflect.get(v, 'stepSeconds')
  const rss: unknown = Reflect.get(v, 'peakRssMiB')
  const backend: unknown = Reflect.get(v, 'backend')
  if (!Array.isArray(steps) || !steps.every((s): s is number => typeof s === 'number') || typeof rss !== 'number') return undefined
  return { stepSeconds: steps, peakRssMiB: rss, backend: typeof backend === 'string' ? backend : fallbackBackend }
}

/** The worker's one-line `REASON:` if it printed one, else the last `n` lines of `s`. */
const lastLines = (s: string, n: number): string => {
  const reason = s.split('\n').find((l) => l.startsWith('REASON: '))
  return reason !== undefined ? reason.slice('REASON: '.length) : s.trim().split('\n').slice(-n).join(' / ')
}

/** Runs one side in its own process: `pytorch` or one of our backends. */
const runSide = (side: string, spec: Spec, specPath: string): Run | string => {
  const env = { ...process.env, OPENBLAS_THREAD_TIMEOUT: blasTimeout, TF_CPP_MIN_LOG_LEVEL: '2', JEPA_THREADS: String(spec.threads) }
  const r =
    side === 'pytorch'
      ? spawnSync('/usr/bin/python3', [join(here, 'family_step_torch.py'), '--family', spec.family, '--spec', specPath, '--threads', String(spec.threads)], { encoding: 'utf8', env })
      : spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--worker', side, '--spec', specPath], { encoding: 'utf8', env })
  return parseRun(r.stdout ?? '', side) ?? `${side} failed: ${lastLines(r.stderr ?? r.error?.message ?? '', 3)}`
}

interface Row {
  readonly label: string
  readonly spec: Spec
  readonly sides: readonly string[]
}

const imagesPerS = (spec: Spec, run: Run): number => (spec.batch * run.stepSeconds.length) / run.stepSeconds.reduce((a, b) => a + b, 0)

/** Σ FLOPs of the timed steps. */
const timedFlops = (spec: Spec): number => Array.from({ length: spec.steps }, (_, j) => stepFlops(spec, spec.warmup + j).flops).reduce((a, b) => a + b, 0)

const fmtRound = (xs: readonly number[], digits: number): string => `${median(xs).toFixed(digits)} (${xs.map((x) => x.toFixed(digits)).join(', ')})`

/** Measures a row in interleaved rounds and prints its table lines (with `extraCell` last when given). */
const measureRow = (row: Row, rounds: number, dir: string, extraCell?: string): void => {
  const tail = extraCell === undefined ? '' : ` ${extraCell} |`
  const specPath = join(dir, `${row.label.replace(/[^a-z0-9]+/gi, '_')}.json`)
  writeFileSync(specPath, JSON.stringify(row.spec))
  const runs = new Map<string, (Run | undefined)[]>()
  const errors: string[] = []
  for (let r = 0; r < rounds; r++) {
    const order = ['pytorch', ...row.sides]
    for (const side of r % 2 === 0 ? order : [...order].reverse()) {
      const res = runSide(side, row.spec, specPath)
      if (typeof res === 'string') errors.push(res)
      runs.set(side, [...(runs.get(side) ?? []), typeof res === 'string' ? undefined : res])
    }
  }
  const flops = timedFlops(row.spec)
  const torch = runs.get('pytorch') ?? []
  for (const side of ['pytorch', ...row.sides]) {
    const rs = runs.get(side) ?? []
    const ok = rs.filter((x): x is Run => x !== undefined)
    if (ok.length === 0) continue
    const ips = ok.map((x) => imagesPerS(row.spec, x))
    const gflops = ok.map((x) => flops / x.stepSeconds.reduce((a, b) => a + b, 0) / 1e9)
    const paired = rs.flatMap((x, i) => {
      const t = torch[i]
      return x === undefined || t === undefined ? [] : [imagesPerS(row.spec, x) / imagesPerS(row.spec, t)]
    })
    const name = side === 'pytorch' ? ok[0]!.backend : side
    console.log(`| ${row.label} | ${name} | ${fmtRound(ips, 1)} | ${median(gflops).toFixed(1)} | ${Math.max(...ok.map((x) => x.peakRssMiB)).toFixed(0)} | ${paired.length === 0 ? '—' : fmtRound(paired, 2)} |${tail}`)
  }
  for (const e of errors) console.log(`| ${row.label} | error | ${e.replace(/\|/g, '/')} | | | |${extraCell === undefined ? '' : ' |'}`)
}

const TABLE_HEAD = ['| shape | side | images/s: median (rounds) | GFLOP/s | peak RSS MiB | ratio vs PyTorch (images/s ÷ PyTorch\'s, paired per round): median (rounds) |', '|---|---|---|---|---|---|']

/** What each side's step includes, per family (the table headers). */
const INCLUDES: Readonly<Record<FamilyName, string>> = {
  ijepa: 'both sides: target ViT (no grad) on the full image → LN → gather 4 target blocks; context ViT on Kc tokens; predictor; smooth-L1; backward; grad norm; AdamW; EMA of the target encoder. Same masks on both sides (drawn by our collator; ours draws them inside its step, on the host).',
  mae: 'both sides: random masking (75%); ViT on the visible tokens; decoder (embed, mask tokens, unshuffle, pos-embed, blocks, norm, pred); norm-pix MSE on masked patches; backward; grad norm; AdamW (0.9, 0.95).',
  vicreg: 'both sides: two augmented views (random-resized crop bilinear, flip .5, brightness/contrast jitter .8, 3×3 blur .5, noise .5, clip; per-image choices drawn on the host); ViT → mean over tokens → fc1/BN/ReLU/fc2; VICReg energy (25/25/1) + embedding std; backward; grad norm; AdamW. Augmentation, energy and optimizer FLOPs are not counted.',
}

const describe = (spec: Spec): string => {
  const c = spec.config
  const [H, , C] = c.image
  const g = H / c.patchSize
  return `${H}×${H}×${C}, patch ${c.patchSize} → ${g}×${g}, encoder ${c.encoder.dim}/${c.encoder.depth}/${c.encoder.heads}, B ${spec.batch}`
}

const flopsHeader = (spec: Spec): string => {
  const per = Array.from({ length: spec.steps }, (_, j) => stepFlops(spec, spec.warmup + j))
  const mean = per.reduce((a, b) => a + b.flops, 0) / per.length
  const masks = spec.masks?.slice(spec.warmup)
  const kc = masks === undefined ? '' : `; timed steps' Kc ${masks.map((m) => m.context[0]!.length).join('/')}, Kt ${masks.map((m) => m.targets[0]![0]!.length).join('/')}`
  return `FLOPs/step = ${per[0]!.formula} (our layers' infer counts; ×3 = forward + backward, ×1 = no grad) = ${(mean / 1e9).toFixed(2)} GFLOP mean over timed steps${kc}`
}

const makeSpec = (family: FamilyName, input: Record<string, unknown>, batch: number, warmup: number, steps: number, threads: number): Spec => {
  const config = decodeConfig(family, input)
  return { family, config, batch, warmup, steps, threads, ...(family === 'ijepa' ? { masks: ijepaMasks(config as IjepaConfig, batch, warmup + steps) } : {}) }
}

/** The I-JEPA preset at another image size / encoder depth; throws naming the field if the preset's masks do not fit the grid. */
const ijepaVariant = (image: number, depth: number): Record<string, unknown> => {
  const base = presetInput('ijepa')
  const input = { ...base, image: [image, image, 1], encoder: { ...(base.encoder as Record<string, unknown>), depth } }
  decodeIjepaConfigOrThrow(input)
  return input
}

const parent = (): void => {
  const quick = process.argv.includes('--quick')
  const sections = (argValue('--sections') ?? 'families,scaling,profile').split(',')
  const families = (argValue('--families') ?? FAMILIES.join(',')).split(',').filter((f): f is FamilyName => (FAMILIES as readonly string[]).includes(f))
  const backends = (argValue('--backends') ?? (process.argv.includes('--cpu') ? 'native,wasm,cpu' : 'native,wasm')).split(',')
  const batch = quick ? 16 : intArg('--batch', 64)
  const batches = quick ? [16] : intList('--batches', [batch])
  const threads = intArg('--threads', availableParallelism())
  const threadCounts = intList('--thread-counts', [1, 2, 4, 8, 16, 32, 64].filter((t) => t <= availableParallelism()))
  const scaleBatch = quick ? 16 : intArg('--scale-batch', 16)
  const rounds = quick ? 1 : intArg('--rounds', 3)
  const steps = quick ? 1 : intArg('--steps', 3)
  const warmup = intArg('--warmup', 5)
  const dir = mkdtempSync(join(tmpdir(), 'family-step-'))
  const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ')
  console.log(`# One training step per family, ours vs a PyTorch twin (bench/family-step.ts${quick ? ' --quick' : ''})`)
  console.log('')
  console.log(`node ${process.version}, OPENBLAS_THREAD_TIMEOUT=${blasTimeout} (both sides), PyTorch /usr/bin/python3; ${threads} threads on both sides (${availableParallelism()} cores)${sections.includes('threads') ? ` except in the thread section` : ''}; ${rounds} interleaved round(s) × (${warmup} warm-up + ${steps} timed steps) per process; images/s = B·steps ÷ Σ step time; load average ${load()} at start, ${new Date().toISOString()}`)
  try {
    if (sections.includes('families')) {
      for (const f of families) for (const b of batches) {
        const spec = makeSpec(f, presetInput(f), b, warmup, steps, threads)
        console.log('')
        console.log(`## ${f} — ${f}-fashion.json preset (${describe(spec)})`)
        console.log('')
        console.log(`Ours: \`${f}\` family \`step\` (schedules for totalSteps ${TOTAL_STEPS}). ${INCLUDES[f]}`)
        console.log(flopsHeader(spec))
        console.log('')
        for (const l of TABLE_HEAD) console.log(l)
        measureRow({ label: describe(spec), spec, sides: backends }, rounds, dir)
      }
    }
    if (sections.includes('scaling')) {
      const rows: Row[] = []
      const add = (label: string, image: number, depth: number, b: number): void => {
        rows.push({ label, spec: makeSpec('ijepa', ijepaVariant(image, depth), b, warmup, steps, threads), sides: ['native'] })
      }
      for (const b of quick ? [16] : [16, 64, 256]) add(`B ${b}, depth 6, 8×8`, 32, 6, b)
      for (const d of [4, 12]) add(`B ${scaleBatch}, depth ${d}, 8×8`, 32, d, scaleBatch)
      add(`B ${scaleBatch}, depth 6, 7×7 (image 28)`, 28, 6, scaleBatch)
      add(`B ${scaleBatch}, depth 6, 14×14 (image 56)`, 56, 6, scaleBatch)
      console.log('')
      console.log('## Scaling — how the I-JEPA step cost grows (native vs PyTorch)')
      console.log('')
      console.log(`ijepa-fashion.json preset varied one axis at a time (patch 4; image 28 → 7×7, 56 → 14×14); the preset's masks decode unchanged on 7×7 and 14×14 (not adjusted). ${INCLUDES.ijepa}${quick ? ' --quick: batch 16 rows only.' : ''}`)
      console.log(`FLOPs/step = ${stepFlops(rows[0]!.spec, warmup).formula} (infer counts at each row's shapes and masks)`)
      console.log('')
      console.log('| shape | side | images/s: median (rounds) | GFLOP/s | peak RSS MiB | ratio vs PyTorch: median (rounds) | GFLOP/step |')
      console.log('|---|---|---|---|---|---|---|')
      for (const row of rows) measureRow(row, rounds, dir, (timedFlops(row.spec) / row.spec.steps / 1e9).toFixed(2))
    }
    if (sections.includes('threads')) {
      console.log('')
      console.log(`## Threads — the I-JEPA step (ijepa-fashion.json, B ${batch}) with both sides at each thread count`)
      console.log('')
      console.log(`Ours: JEPA_THREADS=n (the addon's pool and OpenBLAS share the budget); PyTorch: torch.set_num_threads(n). ${availableParallelism()} cores here. ${INCLUDES.ijepa}`)
      console.log('')
      console.log('| shape | side | images/s: median (rounds) | GFLOP/s | peak RSS MiB | ratio vs PyTorch: median (rounds) | threads |')
      console.log('|---|---|---|---|---|---|---|')
      for (const n of threadCounts) {
        const spec = makeSpec('ijepa', presetInput('ijepa'), batch, warmup, steps, n)
        measureRow({ label: `${n} thread${n === 1 ? '' : 's'}, B ${batch}`, spec, sides: ['native'] }, rounds, dir, String(n))
      }
    }
    if (sections.includes('profile')) {
      const spec = makeSpec('ijepa', presetInput('ijepa'), batch, warmup, 1, threads)
      const specPath = join(dir, 'profile.json')
      writeFileSync(specPath, JSON.stringify(spec))
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--worker', 'native', '--spec', specPath, '--profile', '--calls', String(intArg('--calls', 0))], {
        encoding: 'utf8', env: { ...process.env, OPENBLAS_THREAD_TIMEOUT: blasTimeout, JEPA_THREADS: String(threads) },
      })
      console.log('')
      console.log('## Where the native I-JEPA step spends its time')
      console.log('')
      console.log(r.status === 0 ? (r.stdout ?? '').trim() : `profile failed: ${lastLines(r.stderr ?? '', 3)}`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  console.log('')
  console.log(`load average ${load()} at the end, ${new Date().toISOString()}`)
}

const w = argValue('--worker')
if (w !== undefined) await worker(w, argValue('--spec') ?? '')
else parent()
