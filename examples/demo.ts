/**
 * The examples' shared runner, so each example file holds only its family's declaration: the
 * flags (`--config`, `--steps`, `--batch`, `--backend`, `--measure-masks`), the config decode with a
 * readable error, and a short training run on Fashion-MNIST (or the synthetic shapes when it is not
 * installed) that prints one line of metrics per step. Keys are fixed, so a run repeats exactly.
 */
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { type BackendChoice, useBackend } from '@jepa-ts/engine'
import { fold, keyOf } from '@jepa-ts/core'
import { readJsonConfig } from '@jepa-ts/core/node'
import { batchAt, loadDefaultDataset, toBatchTensor } from '@jepa-ts/data'
import type { Family } from '@jepa-ts/train'

/** The flags every example takes. */
export interface DemoFlags {
  readonly config: string
  readonly steps: number
  readonly batch: number
  readonly backend: BackendChoice
  readonly measureMasks: boolean
}

const positiveInt = (flag: string, value: string): number => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${flag} expects a positive integer, got "${value}"`)
    process.exit(2)
  }
  return n
}

/** Parses the example's flags; `defaultConfig` is its Fashion-MNIST preset. */
export const demoFlags = (defaultConfig: string): DemoFlags => {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', default: defaultConfig },
      steps: { type: 'string', default: '20' },
      batch: { type: 'string', default: '32' },
      backend: { type: 'string', default: 'auto' },
      'measure-masks': { type: 'boolean', default: false },
    },
  })
  return {
    config: values.config,
    steps: positiveInt('steps', values.steps),
    batch: positiveInt('batch', values.batch),
    backend: values.backend as BackendChoice,
    measureMasks: values['measure-masks'],
  }
}

/** Reads and decodes a JSON config; on a bad file prints every problem (file, field) and exits 2. */
export const readConfigOrExit = <A>(path: string, codec: t.Type<A, unknown, unknown>, check: (a: A) => E.Either<{ format(): string }, A> = E.right): A => {
  const decoded = E.chain(check)(readJsonConfig(path, codec))
  if (E.isLeft(decoded)) {
    console.error(decoded.left.format())
    process.exit(2)
  }
  return decoded.right
}

/** The part of a config the runner reads. */
export interface DemoConfig {
  readonly image: readonly number[]
  readonly optimizer: { readonly warmupSteps: number }
}

/**
 * Trains `build(totalSteps)` for `flags.steps` steps and prints the metrics. The schedules are
 * planned for at least the warmup, so a short demo still gets past it.
 */
export const runDemo = async (flags: DemoFlags, config: DemoConfig, build: (totalSteps: number) => Family): Promise<void> => {
  const backend = await useBackend(flags.backend)
  const data = loadDefaultDataset('train', { key: keyOf(0) })
  if (E.isLeft(data)) {
    console.error(data.left.message)
    process.exit(2)
  }
  const { dataset, note } = data.right
  console.log(`${note}; backend ${backend.name}${backend.notice ? ` (${backend.notice})` : ''}`)
  const family = build(Math.max(flags.steps, config.optimizer.warmupSteps))
  let state = family.init(keyOf(1))
  for (let k = 0; k < flags.steps; k++) {
    const idx = batchAt(keyOf(2), dataset.size, flags.batch, k, { dropLast: true })
    const images = toBatchTensor(dataset, idx, { padTo: config.image[0] })
    const r = family.step(state, images, fold(keyOf(3), k))
    state = r.state
    images.dispose()
    console.log(`step ${k}: ${Object.entries(r.metrics).map(([name, v]) => `${name} ${+v.toPrecision(4)}`).join(', ')}`)
  }
  console.log(`live tensors ${tf.memory().numTensors}`)
}
