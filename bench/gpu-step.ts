/**
 * The GPU check's bench: one training step of the I-JEPA, MAE and VICReg families on their
 * Fashion-MNIST presets (examples/configs/{ijepa,mae,vicreg}-fashion.json) on `webgpu`, next to the
 * PyTorch twin (bench/family_step_torch.py) on the same machine — `--device cuda` by default.
 *
 *   node --import tsx bench/gpu-step.ts [--families ijepa,mae,vicreg] [--batches 64,256] [--warmup 3]
 *       [--steps 5] [--torch-device cuda|cpu|none] [--python /usr/bin/python3] [--presets DIR]
 *
 * `--presets DIR` reads `<family>-fashion.json` from DIR instead of examples/configs (tests use tiny ones).
 *
 * Runs bundled too (scripts/gpu-pack.sh bundles it with esbuild into the pack as gpu-step.mjs, run
 * as `node gpu-step.mjs …`): nothing here needs tsx at run time, workers are this same file.
 *
 * Contract: prints the adapter line, then one markdown table — family, batch, side, images/s,
 * ms/step, ours ÷ PyTorch — plus a line per failure naming the side and its reason (a side that
 * fails does not stop the others). Method: every (family, batch, side) runs in its own process;
 * `--warmup` untimed steps, then `--steps` timed ones; a webgpu step is the family's `stepDeferred`
 * followed by `readMetrics` (one awaited read: the step is complete on the GPU when it returns);
 * PyTorch's ends with `loss.item()`. Both sides draw nothing from each other except the I-JEPA
 * masks: the parent draws them with our collator and hands the same index sets to the twin (as
 * bench/family-step.ts does).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import { describeAdapter, useBackend } from '@jepa-ts/engine'
import { fold, keyOf } from '@jepa-ts/core'
import { readMetrics } from '@jepa-ts/train'
import type { IjepaConfig } from '@jepa-ts/ssl'
import { FAMILIES, type FamilyName, SEED, type StepSpec, buildFamily, decodeConfig, ijepaMasks, stepKey } from './family-spec.ts'

const here = dirname(fileURLToPath(import.meta.url))
type Spec = StepSpec

interface Run {
  readonly backend: string
  readonly stepSeconds: readonly number[]
}

const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

const intArg = (name: string, dflt: number): number => {
  const v = argValue(name)
  const n = v === undefined ? dflt : Number(v)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${v}`)
  return n
}

const presetInput = (family: FamilyName): unknown =>
  JSON.parse(readFileSync(join(argValue('--presets') ?? join(here, '..', 'examples', 'configs'), `${family}-fashion.json`), 'utf8'))

const makeSpec = (family: FamilyName, batch: number, warmup: number, steps: number): Spec => {
  const config = decodeConfig(family, presetInput(family))
  return { family, config, batch, warmup, steps, ...(family === 'ijepa' ? { masks: ijepaMasks(config as IjepaConfig, batch, warmup + steps) } : {}) }
}

// ---------------------------------------------------------------- worker: our side on webgpu

const worker = async (specPath: string): Promise<void> => {
  const info = await useBackend('webgpu')
  const spec = JSON.parse(readFileSync(specPath, 'utf8')) as Spec
  const family = buildFamily(spec)
  const step = family.stepDeferred
  if (step === undefined) throw new Error(`${family.name} has no stepDeferred`)
  const [H, W, C] = spec.config.image
  let state = family.init(fold(keyOf(SEED), 'init'))
  const images = tf.randomUniform([spec.batch, H, W, C], 0, 1, 'float32', SEED) as tf.Tensor4D
  const times: number[] = []
  for (let i = 0; i < spec.warmup + spec.steps; i++) {
    const t0 = performance.now()
    const out = step(state, images, stepKey(i))
    state = out.state
    const metrics = await readMetrics(out.metrics)
    const seconds = (performance.now() - t0) / 1000
    if (!Number.isFinite(metrics.loss)) throw new Error(`non-finite loss at step ${i}`)
    const kc = spec.masks?.[i]?.context[0]?.length
    if (kc !== undefined && metrics['contextTokens'] !== kc) throw new Error(`step ${i}: the collator drew Kc ${metrics['contextTokens']}, the parent's masks have ${kc}`)
    if (i >= spec.warmup) times.push(seconds)
  }
  const run: Run = { backend: `webgpu (${info.adapter === undefined ? 'unknown adapter' : describeAdapter(info.adapter)})`, stepSeconds: times }
  console.log(JSON.stringify(run))
}

// ---------------------------------------------------------------- parent

const lastJson = (stdout: string): Run | undefined => {
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'))
  if (line === undefined) return undefined
  try {
    const v = JSON.parse(line) as Partial<Run>
    return typeof v.backend === 'string' && Array.isArray(v.stepSeconds) ? { backend: v.backend, stepSeconds: v.stepSeconds } : undefined
  } catch {
    return undefined
  }
}

const tail = (s: string): string => s.trim().split('\n').slice(-3).join(' / ').replace(/\|/g, '/')

/** This script again, as a worker (the same loader flags: tsx when run from source, none bundled). */
const runOurs = (specPath: string): Run | string => {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--worker', '--spec', specPath], { encoding: 'utf8', env: process.env })
  return lastJson(r.stdout ?? '') ?? `webgpu failed: ${tail(r.stderr || r.error?.message || `exit ${r.status}`)}`
}

const runTorch = (family: FamilyName, specPath: string, device: string, python: string): Run | string => {
  const script = join(here, 'family_step_torch.py')
  const r = spawnSync(python, [script, '--family', family, '--spec', specPath, '--device', device], { encoding: 'utf8', env: process.env })
  return lastJson(r.stdout ?? '') ?? `pytorch ${device} failed: ${tail(r.stderr || r.error?.message || `exit ${r.status}`)}`
}

const imagesPerSecond = (batch: number, run: Run): number => (batch * run.stepSeconds.length) / run.stepSeconds.reduce((a, b) => a + b, 0)

const parent = async (): Promise<void> => {
  const families = (argValue('--families') ?? FAMILIES.join(',')).split(',').filter((f): f is FamilyName => (FAMILIES as readonly string[]).includes(f))
  const batches = (argValue('--batches') ?? '64,256').split(',').map(Number)
  if (!batches.every((b) => Number.isInteger(b) && b > 0)) throw new Error(`--batches must be positive integers, got ${argValue('--batches')}`)
  const warmup = intArg('--warmup', 3)
  const steps = intArg('--steps', 5)
  const torchDevice = argValue('--torch-device') ?? 'cuda'
  const python = argValue('--python') ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3')
  const info = await useBackend('webgpu')
  console.log(`adapter: ${info.adapter === undefined ? 'unknown' : `${describeAdapter(info.adapter)}; device "${info.adapter.device}", "${info.adapter.description}"`}`)
  console.log(`node ${process.version}; ${warmup} warm-up + ${steps} timed steps per process; images/s = B·steps ÷ Σ step time; ${new Date().toISOString()}`)
  console.log('')
  console.log('| family | B | side | images/s | ms/step | ours ÷ PyTorch |')
  console.log('|---|---|---|---|---|---|')
  const dir = mkdtempSync(join(tmpdir(), 'gpu-step-'))
  try {
    for (const family of families) {
      for (const batch of batches) {
        const spec = makeSpec(family, batch, warmup, steps)
        const specPath = join(dir, `${family}-${batch}.json`)
        writeFileSync(specPath, JSON.stringify(spec))
        const ours = runOurs(specPath)
        const torch = torchDevice === 'none' ? undefined : runTorch(family, specPath, torchDevice, python)
        const torchOk = torch !== undefined && typeof torch !== 'string' ? torch : undefined
        for (const [side, r] of [['ours', ours], ['pytorch', torch]] as const) {
          if (r === undefined) continue
          if (typeof r === 'string') {
            console.log(`| ${family} | ${batch} | error | ${r} | | |`)
            continue
          }
          const ips = imagesPerSecond(batch, r)
          const ratio = side === 'ours' && torchOk !== undefined ? (ips / imagesPerSecond(batch, torchOk)).toFixed(3) : '—'
          console.log(`| ${family} | ${batch} | ${r.backend} | ${ips.toFixed(1)} | ${((1000 * batch) / ips).toFixed(1)} | ${ratio} |`)
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv.includes('--worker')) await worker(argValue('--spec') ?? '')
else await parent()
