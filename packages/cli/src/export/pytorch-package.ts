/**
 * A self-contained PyTorch package for an I-JEPA, MAE or VICReg run (`jepa export <run> --to pytorch
 * --package <dir>`):
 *
 *   jepa_model.py       the modules, mirroring our Layer tree with the same parameter names (= the
 *                       reference state_dict names) and numerics: ViT encoder, I-JEPA predictor,
 *                       MAE decoder, projector head
 *   jepa_schedules.py   our lr / weight-decay / EMA-momentum schedules
 *   jepa_data.py        Fashion-MNIST from the IDX files, padded as we pad
 *   train.py            the trainer `torchrun --nproc_per_node N train.py --steps S` runs with DDP;
 *                       it loads `jepa_<family>.py` by config.json's family
 *   config.json         the run: family, decoded model config, scheduleSteps, batchSize, step
 * and per family:
 *   ijepa    jepa_ijepa.py (loss, step, EMA), jepa_masks.py (multi-block sampler),
 *            checkpoint.pth.tar (facebookresearch/ijepa's layout), ijepa.yaml (its trainer config)
 *   mae      jepa_mae.py (masking, loss, step), jepa_train.py (AdamW groups, checkpoint layout),
 *            checkpoint.pth (facebookresearch/mae's layout + param_names, `package-checkpoint.ts`)
 *   vicreg   jepa_vicreg.py (loss, step), jepa_views.py (the view recipe), jepa_train.py,
 *            checkpoint.pth (`package-checkpoint.ts`)
 *
 * The Python files are this directory's `pytorch/*.py`, copied as they are. Contract:
 * `writePackage(dir, family, parts)` writes into a fresh temporary directory next to `dir` and
 * renames it into place, so `dir` either appears complete or not at all; an existing `dir` is never
 * touched (Left). Only multi-block masks can be exported for I-JEPA (train.py samples those); other
 * strategies are refused by `exportableMasks`, naming the strategy.
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { IjepaConfig } from '@jepa-ts/ssl'

/** The Python sources every package holds, in `export/pytorch/`. */
export const COMMON_SOURCES = ['jepa_model.py', 'jepa_schedules.py', 'jepa_data.py', 'train.py'] as const

/** The family's own sources and the name of its checkpoint inside the package. */
export const PACKAGE_FAMILIES = {
  ijepa: { sources: ['jepa_ijepa.py', 'jepa_masks.py'], checkpoint: 'checkpoint.pth.tar' },
  mae: { sources: ['jepa_mae.py', 'jepa_train.py'], checkpoint: 'checkpoint.pth' },
  vicreg: { sources: ['jepa_vicreg.py', 'jepa_train.py', 'jepa_views.py'], checkpoint: 'checkpoint.pth' },
} as const

/** A family that can be exported as a package. */
export type PackageFamily = keyof typeof PACKAGE_FAMILIES

/** True for a family `jepa export --package` writes. */
export const isPackageFamily = (name: string): name is PackageFamily => Object.prototype.hasOwnProperty.call(PACKAGE_FAMILIES, name)

/** The I-JEPA checkpoint file's name inside the package. */
export const PACKAGE_CHECKPOINT = PACKAGE_FAMILIES.ijepa.checkpoint

/** What goes into a package besides the sources. */
export interface PackageParts {
  /** config.json's value. */
  readonly config: unknown
  /** The family's checkpoint (torch.save bytes). */
  readonly checkpoint: Uint8Array
  /** Further text files (I-JEPA: ijepa.yaml). */
  readonly extra?: ReadonlyArray<readonly [string, string]>
}

/** Right when train.py can sample the config's masks; Left names the strategy. */
export const exportableMasks = (config: IjepaConfig): E.Either<string, void> =>
  config.masks.strategy === 'multi-block' || config.masks.strategy === 'multi-block-corrected'
    ? E.right(undefined)
    : E.left(`masks.strategy "${config.masks.strategy}": the exported trainer samples multi-block masks only ("multi-block" or "multi-block-corrected")`)

/** Writes the package directory (see the module contract). */
export const writePackage = (dir: string, family: PackageFamily, parts: PackageParts): E.Either<string, readonly string[]> => {
  if (existsSync(dir)) return E.left(`${dir} already exists; an export never replaces anything (choose another --package)`)
  const tmp = mkdtempSync(join(dirname(dir), `.${basename(dir)}-`))
  try {
    const files: Array<readonly [string, string | Uint8Array]> = [
      ...[...COMMON_SOURCES, ...PACKAGE_FAMILIES[family].sources].map((name) => [name, readFileSync(new URL(`./pytorch/${name}`, import.meta.url), 'utf8')] as const),
      ['config.json', `${JSON.stringify(parts.config, null, 2)}\n`],
      [PACKAGE_FAMILIES[family].checkpoint, parts.checkpoint],
      ...(parts.extra ?? []),
    ]
    for (const [name, content] of files) writeFileSync(join(tmp, name), content)
    renameSync(tmp, dir)
    return E.right(files.map(([name]) => name))
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true })
    return E.left(`${dir}: ${e instanceof Error ? e.message : String(e)}`)
  }
}
