/**
 * The config.json and checkpoint of an MAE or VICReg package (`jepa export --package`): decodes the
 * run's model config for its family, takes the schedule length as `jepa train` builds it
 * (max(scheduleSteps, 1, warmupSteps)), and builds the checkpoint of `package-checkpoint.ts` with
 * the family's layout (`family-layouts.ts`).
 *
 * Contract: `singleModelPackage(family, model, src)` is Right({ config, checkpoint, layout }) or
 * Left naming the config problem (`metadata.config.model`) or the missing tensors.
 */
import * as E from 'fp-ts/lib/Either.js'
import { decode, torchSaveBytes } from '@jepa-ts/core'
import { VicregConfigCodec, decodeMaeConfig } from '@jepa-ts/ssl'
import type { ExportSource } from './ijepa-official.ts'
import { maePackageLayout, vicregPackageLayout } from './family-layouts.ts'
import { type PackageLayout, packageCheckpointValue } from './package-checkpoint.ts'

/** What the package of a single-model family holds besides its sources. */
export interface SingleModelPackage {
  readonly config: unknown
  readonly checkpoint: Uint8Array
  /** A sentence describing the checkpoint's layout, for the command's output. */
  readonly layout: string
}

const layoutOf = (family: 'mae' | 'vicreg', model: unknown, src: ExportSource): E.Either<string, { readonly model: unknown; readonly total: number; readonly layout: PackageLayout }> => {
  const total = (warmup: number): number => Math.max(src.scheduleSteps, 1, warmup)
  if (family === 'mae') {
    const c = decodeMaeConfig(model, 'model')
    if (E.isLeft(c)) return E.left(c.left.format())
    return E.right({ model: c.right, total: total(c.right.optimizer.warmupSteps), layout: maePackageLayout(c.right, total(c.right.optimizer.warmupSteps), src.step) })
  }
  const c = decode(VicregConfigCodec, model, 'model')
  if (E.isLeft(c)) return E.left(c.left.format())
  return E.right({ model: c.right, total: total(c.right.optimizer.warmupSteps), layout: vicregPackageLayout(c.right, total(c.right.optimizer.warmupSteps), src.step) })
}

/** Builds the package parts (see the module contract). */
export const singleModelPackage = (family: 'mae' | 'vicreg', model: unknown, src: ExportSource & { readonly source: string }): E.Either<string, SingleModelPackage> => {
  const built = layoutOf(family, model, src)
  if (E.isLeft(built)) return built
  const value = packageCheckpointValue(src, built.right.layout)
  if (E.isLeft(value)) return value
  const what = family === 'mae' ? 'facebookresearch/mae\'s layout (model under the reference names, optimizer)' : 'the package layout (model, optimizer)'
  return E.right({
    config: { family, model: built.right.model, scheduleSteps: built.right.total, batchSize: src.batchSize, step: src.step, source: src.source },
    checkpoint: torchSaveBytes(value.right, 'checkpoint'),
    layout: `${what} with param_names, AdamW state at step ${src.step}`,
  })
}
