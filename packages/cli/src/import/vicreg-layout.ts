/**
 * The checkpoint of an exported VICReg package (`export/package-checkpoint.ts`, written by the
 * package's `train.py`): `{ model, optimizer, param_names, epoch, scaler, loss, batch_size,
 * world_size, step }` with `model` the package module's state dict — `encoder.*` (our ViT's names,
 * plus the fixed `encoder.pos_embed` [1, L, D]) and `projector.*` (`fc1`, `bn1`, `fc2`).
 *
 * Contract: `vicregPlan(file, options)` needs `options.config` (the package's config.json: the
 * views, coefficients, heads and optimizer are not in the shapes; Left saying so without it),
 * decodes its model config, checks every name and shape of `model` against our encoder and
 * projector, maps `<name>` → `params.<name>`, checks `encoder.pos_embed` against the sin-cos table,
 * and maps the AdamW state by name (`named-optimizer.ts`; the run's step is the optimizer's).
 * There is no official VICReg ViT checkpoint layout to read (the reference trains ResNets).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type TorchFile, decode, inferOrThrow } from '@jepa-ts/core'
import { VicregConfigCodec, jointParts } from '@jepa-ts/ssl'
import type { ImportPlan } from './import-plan.ts'
import { type ImportOptions, scalarsOf } from './ijepa-layout.ts'
import { namedOptimizerPlan } from './named-optimizer.ts'
import { compareToSpecs, section, specShapes } from './official-sections.ts'

/** Plans the import of a VICReg package checkpoint (see the module contract). */
export const vicregPlan = (file: Pick<TorchFile, 'source' | 'root'>, options: ImportOptions = {}): E.Either<string, ImportPlan> => {
  const src = file.source
  const given = options.config
  if (given === undefined) return E.left(`${src}: a VICReg import needs --config <package>/config.json (the views, coefficients, heads and optimizer are not in the shapes)`)
  const model = section(file, 'model')
  if (E.isLeft(model)) return E.left(`${model.left} (a jepa-ts VICReg package checkpoint holds the model's state dict under "model")`)
  const s = model.right
  const config = decode(VicregConfigCodec, given.model, 'model')
  if (E.isLeft(config)) return E.left(`${given.source}: the given VICReg config does not decode:\n${config.left.format()}`)
  const c = config.right
  const parts = jointParts(c, Math.max(1, c.optimizer.warmupSteps))
  const [H, W, C] = c.image
  const expected = new Map([
    ...specShapes(inferOrThrow(parts.encoder.layer, [1, H, W, C]).params, 'encoder'),
    ...specShapes(inferOrThrow(parts.projector, [1, c.encoder.dim]).params, 'projector'),
  ])
  const skip = new Set(['encoder.pos_embed'])
  const checked = compareToSpecs(src, s, expected, skip)
  if (E.isLeft(checked)) return checked
  const [gh, gw] = [H / c.patchSize, W / c.patchSize]
  const pos = s.entries.get('encoder.pos_embed')
  if (pos === undefined || pos.shape.join() !== [1, gh * gw, c.encoder.dim].join()) {
    return E.left(`${src}: model.encoder.pos_embed: expected the fixed sin-cos table of shape [1, ${gh * gw}, ${c.encoder.dim}], got ${pos === undefined ? 'none' : `[${pos.shape.join(', ')}]`}`)
  }
  const scalars = scalarsOf(file, ['epoch', 'loss', 'batch_size', 'world_size', 'step'])
  const optimizer = namedOptimizerPlan(file, s, (n) => n)
  const batchSize = options.batchSize ?? (typeof scalars.batch_size === 'number' && scalars.batch_size > 0 ? scalars.batch_size : 64)
  return E.right({
    family: 'vicreg',
    runConfig: { family: 'vicreg', model: given.model, train: { batchSize, scheduleSteps: given.scheduleSteps ?? 1, seed: 0 } },
    copies: [
      ...[...s.entries].filter(([n]) => !skip.has(n)).map(([n, ref]) => ({ from: `model.${n}`, ref, to: `params.${n}` })),
      ...('copies' in optimizer ? optimizer.copies : []),
    ],
    buffers: [{ from: 'model.encoder.pos_embed', ref: pos, grid: [gh, gw], dim: c.encoder.dim, zeroRows: 0 }],
    ...('steps' in optimizer ? { optimizerSteps: optimizer.steps } : {}),
    provenance: {
      layout: 'jepa-ts VICReg package (jepa_train.py)',
      ddpPrefix: s.stripped,
      ...scalars,
      notImported: 'reason' in optimizer ? `optimizer (${optimizer.reason}: the run starts with fresh AdamW moments at step 0), scaler` : 'scaler',
    },
  })
}
