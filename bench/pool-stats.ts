/**
 * What the native backend's buffer pool does over a family's training steps (no timing, so it may
 * run beside other work): per step, the outputs it allocated fresh and those it reused, its free and
 * in-use bytes, the peak in use and the slack (packages/backend-native/src/buffer-pool.ts).
 *
 *   pnpm exec tsx bench/pool-stats.ts [--family ijepa|mae|vicreg] [--batch 64] [--steps 14]
 *
 * The family is its Fashion-MNIST preset (examples/configs/<family>-fashion.json), built as
 * bench/family-step.ts builds it, on random images.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import { fold, keyOf } from '@jepa-ts/core'
import { activeNativeBackend } from '@jepa-ts/backend-native'
import { activate, argValue, intArg } from './bench-util.ts'
import { FAMILIES, type FamilyName, SEED, buildFamily, decodeConfig, stepKey } from './family-spec.ts'

const family = (argValue('--family') ?? 'mae') as FamilyName
if (!FAMILIES.includes(family)) throw new Error(`--family: expected one of ${FAMILIES.join(', ')}, got ${family}`)
const batch = intArg('--batch', 64)
const steps = intArg('--steps', 14)

await activate('native')
const backend = activeNativeBackend()
if (backend === undefined) throw new Error('pool-stats: the native backend is not active (is the addon built?)')
const here = dirname(fileURLToPath(import.meta.url))
const config = decodeConfig(family, JSON.parse(readFileSync(join(here, '..', 'examples', 'configs', `${family}-fashion.json`), 'utf8')))
const f = buildFamily({ family, config, batch, warmup: 0, steps })
let state = f.init(fold(keyOf(SEED), 'init'))
const [H, W, C] = config.image
const images = tf.randomUniform([batch, H, W, C], 0, 1, 'float32', SEED) as tf.Tensor4D
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0)

console.log(`${family}, B ${batch}: the pool after each step`)
console.log('| step | allocated | reused | free MiB | in use MiB | peak in use MiB | slack |')
console.log('|---:|---:|---:|---:|---:|---:|---:|')
let before = backend.pool.stats()
for (let i = 0; i < steps; i++) {
  state = f.step(state, images, stepKey(i)).state
  const s = backend.pool.stats()
  console.log(`| ${i} | ${s.allocated - before.allocated} | ${s.reused - before.reused} | ${mib(s.freeBytes)} | ${mib(s.inUseBytes)} | ${mib(s.peakInUseBytes)} | ${backend.pool.slack()} |`)
  before = s
}
