/**
 * A family made by recombination: I-JEPA whose energy also carries VICReg's variance and covariance
 * terms on the predictor output. Everything else — masks, EMA target, stop-gradient, predictor,
 * AdamW — is I-JEPA's, unchanged: the whole declaration is one energy passed to `ijepa`.
 *
 *   const family = ijepa(config, { totalSteps, energy: withVarianceCovariance(energyOf(config.energy), { variance: 1, covariance: 0.04 }) })
 *
 * Run:  pnpm exec tsx examples/ijepa-vc.ts [--config examples/configs/ijepa-fashion.json] [--steps 20] [--batch 32]
 */
import { IjepaConfigCodec, energyOf, ijepa, withVarianceCovariance } from '@jepa-ts/ssl'
import { demoFlags, readConfigOrExit, runDemo } from './demo.ts'

const flags = demoFlags('examples/configs/ijepa-fashion.json')
const config = readConfigOrExit(flags.config, IjepaConfigCodec)
await runDemo(flags, config, (totalSteps) =>
  ijepa(config, { totalSteps, name: 'ijepa-vc', energy: withVarianceCovariance(energyOf(config.energy), { variance: 1, covariance: 0.04 }) }),
)
