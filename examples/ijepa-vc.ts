/**
 * A family made by recombination: I-JEPA whose energy also carries VICReg's variance and covariance
 * terms on the predictor output. Everything else — masks, EMA target, stop-gradient, predictor,
 * AdamW — is I-JEPA's, unchanged: the whole declaration is one energy passed to `ijepa`.
 *
 *   const family = ijepa(config, { totalSteps, energy: withVarianceCovariance(energyOf(config.energy), { variance: 1, covariance: 0.04 }) })
 *
 * Run:  pnpm exec tsx examples/ijepa-vc.ts [--config examples/configs/ijepa-fashion.json] [--steps 20] [--batch 32]
 */
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { type BackendChoice, fold, keyOf, readJsonConfig, useBackend } from '@jepa-ts/core'
import { batchAt, loadDefaultDataset, toBatchTensor } from '@jepa-ts/data'
import { IjepaConfigCodec, energyOf, ijepa, withVarianceCovariance } from '@jepa-ts/ssl'

const { values: args } = parseArgs({
  options: {
    config: { type: 'string', default: 'examples/configs/ijepa-fashion.json' },
    steps: { type: 'string', default: '20' },
    batch: { type: 'string', default: '32' },
    backend: { type: 'string', default: 'auto' },
  },
})
const decoded = readJsonConfig(args.config, IjepaConfigCodec)
if (E.isLeft(decoded)) throw new Error(decoded.left.format())
const config = decoded.right
await useBackend(args.backend as BackendChoice)
const [steps, batchSize] = [Number(args.steps), Number(args.batch)]
const family = ijepa(config, {
  totalSteps: Math.max(steps, config.optimizer.warmupSteps),
  name: 'ijepa-vc',
  energy: withVarianceCovariance(energyOf(config.energy), { variance: 1, covariance: 0.04 }),
})
const data = loadDefaultDataset('train', { key: keyOf(0) })
if (E.isLeft(data)) throw new Error(data.left.message)
let state = family.init(keyOf(1))
for (let k = 0; k < steps; k++) {
  const images = toBatchTensor(data.right.dataset, batchAt(keyOf(2), data.right.dataset.size, batchSize, k, { dropLast: true }), { padTo: config.image[0] })
  const r = family.step(state, images, fold(keyOf(3), k))
  state = r.state
  images.dispose()
  console.log(`step ${k}: ${Object.entries(r.metrics).map(([name, v]) => `${name} ${+v.toPrecision(4)}`).join(', ')}`)
}
