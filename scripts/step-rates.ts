/**
 * How many training steps each family's preset makes in a given wall-clock budget on this machine:
 * the comparison (scripts/results.sh) trains every family for the steps that 600 s buy, so its runs
 * are step budgets — the same on a busy machine as on a quiet one — and this script is where those
 * step counts come from. Run it alone on the machine (nothing else busy):
 *
 *   pnpm exec tsx scripts/step-rates.ts [--seconds 600] [--steps 60] [config.json …]
 *
 * Each config (default: examples/runs/results/<family>.json for the seven families) is trained for
 * `--steps` steps with `jepa train` in a temporary directory; the rate is taken over the steps after
 * the tenth (the first ones warm the backend's buffer pool up). It prints a table: steps/s, the
 * steps `--seconds` buy, and the preset's `train.steps` beside it.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'

const FAMILIES = ['ijepa', 'mae', 'simclr', 'vicreg', 'barlow', 'byol', 'simsiam'] as const

const args = process.argv.slice(2)
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name)
  if (i < 0) return fallback
  const value = Number(args[i + 1])
  if (!(Number.isInteger(value) && value > 0)) throw new Error(`${name} expects a positive integer, got "${args[i + 1] ?? ''}"`)
  args.splice(i, 2)
  return value
}
const seconds = flag('--seconds', 600)
const steps = flag('--steps', 60)
if (steps <= 20) throw new Error(`--steps must be above 20 (the rate is taken after step 10), got ${steps}`)
const configs = args.length > 0 ? args : FAMILIES.map((f) => `examples/runs/results/${f}.json`)

interface Record { readonly step: number; readonly elapsedSeconds: number }

/** The config with every `warmupSteps` capped at half the measured steps (a schedule may not warm up
 * for longer than the run); the warm-up does not change the cost of a step. */
const withShortWarmup = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(withShortWarmup)
    : typeof value === 'object' && value !== null
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'warmupSteps' && typeof v === 'number' ? Math.min(v, Math.floor(steps / 2)) : withShortWarmup(v)]))
      : value

const rows = configs.map((config) => {
  const dir = mkdtempSync(join(tmpdir(), 'jepa-step-rate-'))
  const out = join(dir, 'run')
  const measured = join(dir, basename(config))
  writeFileSync(measured, JSON.stringify(withShortWarmup(JSON.parse(readFileSync(config, 'utf8')))))
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'packages/cli/src/main.ts', 'train', measured, '--steps', String(steps), '--out', out], { encoding: 'utf8' })
    if (run.status !== 0) throw new Error(`${config}: jepa train exited ${run.status}: ${run.stderr.trim().split('\n').at(-1) ?? ''}`)
    const records = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record)
    const from = records.find((r) => r.step === 10)!
    const to = records.at(-1)!
    const rate = (to.step - from.step) / (to.elapsedSeconds - from.elapsedSeconds)
    const preset = (JSON.parse(readFileSync(config, 'utf8')) as { train?: { steps?: number } }).train?.steps
    return { name: basename(config, '.json'), rate, budgetSteps: Math.floor((rate * seconds) / 10) * 10, preset }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

console.log(`| preset | steps/s | steps in ${seconds} s | the preset's train.steps |`)
console.log('| :--- | ---: | ---: | ---: |')
for (const r of rows) console.log(`| ${r.name} | ${r.rate.toFixed(2)} | ${r.budgetSteps} | ${r.preset ?? '—'} |`)
