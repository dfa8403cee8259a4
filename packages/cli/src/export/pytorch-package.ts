/**
 * A self-contained PyTorch package for an I-JEPA run (`jepa export <run> --to pytorch --package <dir>`):
 *
 *   jepa_model.py       the encoder and predictor modules, mirroring our Layer tree with the same
 *                       parameter names (= the reference state_dict names) and numerics
 *   jepa_ijepa.py       the loss and one training step: AdamW over the reference's param groups,
 *                       our lr / weight-decay / EMA-momentum schedules, the EMA of the target
 *   jepa_masks.py       the multi-block mask sampler (our rules; its own random stream)
 *   jepa_data.py        Fashion-MNIST from the IDX files, padded as we pad
 *   train.py            the trainer `torchrun --nproc_per_node N train.py --steps S` runs with DDP
 *   config.json         the run: family, decoded model config, scheduleSteps, batchSize, step
 *   checkpoint.pth.tar  weights, EMA target and AdamW state in facebookresearch/ijepa's layout
 *   ijepa.yaml          that repository's trainer config for the same run (`ijepa-yaml.ts`)
 *
 * The Python files are this directory's `pytorch/*.py`, copied as they are. Contract:
 * `writeIjepaPackage(dir, parts)` writes into a fresh temporary directory next to `dir` and renames
 * it into place, so `dir` either appears complete or not at all; an existing `dir` is never
 * touched (Left). Only multi-block masks can be exported (train.py samples those); other strategies
 * are refused by `exportableMasks`, naming the strategy.
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { IjepaConfig } from '@jepa-ts/ssl'

/** The Python sources of the package, in `export/pytorch/`. */
export const PACKAGE_SOURCES = ['jepa_model.py', 'jepa_ijepa.py', 'jepa_masks.py', 'jepa_data.py', 'train.py'] as const

/** The checkpoint file's name inside the package. */
export const PACKAGE_CHECKPOINT = 'checkpoint.pth.tar'

/** What goes into a package besides the sources. */
export interface PackageParts {
  /** config.json's value. */
  readonly config: unknown
  /** The official-layout checkpoint (torch.save bytes). */
  readonly checkpoint: Uint8Array
  /** ijepa.yaml's text. */
  readonly yaml: string
}

/** Right when train.py can sample the config's masks; Left names the strategy. */
export const exportableMasks = (config: IjepaConfig): E.Either<string, void> =>
  config.masks.strategy === 'multi-block' || config.masks.strategy === 'multi-block-corrected'
    ? E.right(undefined)
    : E.left(`masks.strategy "${config.masks.strategy}": the exported trainer samples multi-block masks only ("multi-block" or "multi-block-corrected")`)

/** Writes the package directory (see the module contract). */
export const writeIjepaPackage = (dir: string, parts: PackageParts): E.Either<string, readonly string[]> => {
  if (existsSync(dir)) return E.left(`${dir} already exists; an export never replaces anything (choose another --package)`)
  const tmp = mkdtempSync(join(dirname(dir), `.${basename(dir)}-`))
  try {
    const files: Array<readonly [string, string | Uint8Array]> = [
      ...PACKAGE_SOURCES.map((name) => [name, readFileSync(new URL(`./pytorch/${name}`, import.meta.url), 'utf8')] as const),
      ['config.json', `${JSON.stringify(parts.config, null, 2)}\n`],
      [PACKAGE_CHECKPOINT, parts.checkpoint],
      ['ijepa.yaml', parts.yaml],
    ]
    for (const [name, content] of files) writeFileSync(join(tmp, name), content)
    renameSync(tmp, dir)
    return E.right(files.map(([name]) => name))
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true })
    return E.left(`${dir}: ${e instanceof Error ? e.message : String(e)}`)
  }
}
