/**
 * `jepa export <run dir | checkpoint> --to pytorch (--out <file.pth.tar> | --package <dir>)`:
 * - `--out`: the run as the official I-JEPA trainer's `torch.save` checkpoint (see
 *   `export/ijepa-official.ts`): weights, target encoder, AdamW moments over the reference's param
 *   groups, the fixed position embeddings;
 * - `--package`: a self-contained PyTorch package (see `export/pytorch-package.ts`) of an I-JEPA,
 *   MAE or VICReg run: its checkpoint (I-JEPA: that official one; MAE: facebookresearch/mae's
 *   layout; VICReg: the package layout — `export/package-checkpoint.ts`), the model modules, the
 *   loss and step, config.json, (I-JEPA) the official YAML config, and a `train.py` for `torchrun`.
 * Files are written atomically and an existing file or directory is never replaced.
 *
 * Exit codes: 0 written; 2 bad input (an unreadable checkpoint, a family other than ijepa for
 * --out or than ijepa, mae, vicreg for --package, an existing --out or --package, neither or both of them, a --to other than pytorch, masks that the
 * package's trainer cannot sample), with a message naming the file.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Command } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import { atomicWriteFile } from '@jepa-ts/core/node'
import { torchSaveBytes } from '@jepa-ts/core'
import { decodeIjepaConfig } from '@jepa-ts/ssl'
import { parseMetrics, readCheckpoint } from '@jepa-ts/train/node'
import { ijepaOfficialValue } from '../export/ijepa-official.ts'
import { ijepaOfficialYaml } from '../export/ijepa-yaml.ts'
import { PACKAGE_CHECKPOINT, PACKAGE_FAMILIES, exportableMasks, isPackageFamily, writePackage } from '../export/pytorch-package.ts'
import { singleModelPackage } from '../export/single-model-package.ts'
import { checkpointPathOf } from './eval.ts'
import { type CommandIo, EXIT, consoleIo } from './train.ts'

/** Options of `jepa export`, as commander parses them. */
export interface ExportCommandOptions {
  readonly to: string
  /** The .pth.tar file to write. */
  readonly out?: string
  /** The package directory to write. */
  readonly package?: string
}

/** Images per epoch the package's YAML assumes for its epoch arithmetic: Fashion-MNIST's train split. */
export const YAML_TRAIN_IMAGES = 60000

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** Runs `jepa export` and returns its exit code. */
export const runExport = async (target: string, options: ExportCommandOptions, io: CommandIo = consoleIo): Promise<number> => {
  const fail = (message: string): number => {
    io.err(`jepa export: ${message}`)
    return EXIT.badInput
  }
  if (options.to !== 'pytorch') return fail(`--to expects "pytorch", got "${options.to}"`)
  if ((options.out === undefined) === (options.package === undefined)) return fail('give exactly one of --out <file.pth.tar> (the official checkpoint) and --package <dir> (a PyTorch package with train.py)')
  if (options.out !== undefined && existsSync(options.out)) return fail(`${options.out} already exists; an export never replaces a file (choose another --out)`)
  if (options.package !== undefined && existsSync(options.package)) return fail(`${options.package} already exists; an export never replaces anything (choose another --package)`)
  const checkpoint = checkpointPathOf(target)
  let file
  try {
    file = await readCheckpoint(checkpoint)
  } catch (e) {
    return fail(messageOf(e))
  }
  const run = file.meta.config as { readonly model?: unknown; readonly train?: { readonly scheduleSteps?: unknown } }
  const family = file.meta.family
  if (options.package !== undefined && (family === 'mae' || family === 'vicreg')) return exportSingleModel(family, run, file, checkpoint, options.package, io, fail)
  if (family !== 'ijepa') {
    return fail(`${checkpoint}: family "${family}": ${options.package !== undefined ? `packages are written for ${Object.keys(PACKAGE_FAMILIES).join(', ')} runs` : 'only ijepa runs can be exported to the official checkpoint layout (--out); MAE and VICReg runs as --package'}`)
  }
  const config = decodeIjepaConfig(run.model, 'model')
  if (E.isLeft(config)) return fail(`${checkpoint} (metadata.config):\n${config.left.format()}`)
  const lastLoss = lastLossOf(checkpoint)
  const scheduleSteps = typeof run.train?.scheduleSteps === 'number' ? run.train.scheduleSteps : Math.max(1, file.meta.step)
  const value = ijepaOfficialValue({ tensors: file.tensors, step: file.meta.step, batchSize: file.meta.batchSize, lastLoss, scheduleSteps }, config.right)
  if (E.isLeft(value)) return fail(`${checkpoint}: ${value.left}`)
  const layout = `the official I-JEPA checkpoint layout (encoder, predictor, target_encoder with module. prefixes, opt over the reference's 4 param groups, step ${file.meta.step})`
  if (options.package !== undefined) {
    const masks = exportableMasks(config.right)
    if (E.isLeft(masks)) return fail(`${checkpoint} (metadata.config.model): ${masks.left}`)
    // The family's schedule length, as ijepaOfficialValue and `jepa train` build it.
    const totalSteps = Math.max(scheduleSteps, 1, config.right.optimizer.warmupSteps)
    const written = writePackage(options.package, 'ijepa', {
      config: { family: 'ijepa', model: config.right, scheduleSteps: totalSteps, batchSize: file.meta.batchSize, step: file.meta.step, source: checkpoint },
      checkpoint: torchSaveBytes(value.right, 'checkpoint'),
      extra: [['ijepa.yaml', ijepaOfficialYaml(config.right, { batchSize: file.meta.batchSize, scheduleSteps: totalSteps, trainImages: YAML_TRAIN_IMAGES, checkpointFile: PACKAGE_CHECKPOINT })]],
    })
    if (E.isLeft(written)) return fail(written.left)
    io.out(`wrote ${options.package}: ${written.right.join(', ')}; ${PACKAGE_CHECKPOINT} in ${layout}`)
    io.out(`train it: torchrun --nproc_per_node <N> ${join(options.package, 'train.py')} --steps <S>   (Debian's PyTorch 1.13 on Python 3.11: torchrun --redirects 1 --tee 1 …)`)
    return EXIT.ok
  }
  const out = options.out ?? ''
  try {
    const archive = (out.split('/').at(-1) ?? 'archive').split('.')[0] || 'archive'
    await atomicWriteFile(out, torchSaveBytes(value.right, archive))
  } catch (e) {
    return fail(messageOf(e))
  }
  io.out(`wrote ${out}: ${layout}`)
  return EXIT.ok
}

type CheckpointFile = Awaited<ReturnType<typeof readCheckpoint>>

/** The last logged loss of the run next to `checkpoint`, if any. */
const lastLossOf = (checkpoint: string): number | undefined => {
  const metricsFile = join(dirname(checkpoint), 'metrics.jsonl')
  return existsSync(metricsFile) ? parseMetrics(readFileSync(metricsFile, 'utf8')).at(-1)?.loss : undefined
}

/** `--package` for an MAE or VICReg run. */
const exportSingleModel = (
  family: 'mae' | 'vicreg',
  run: { readonly model?: unknown; readonly train?: { readonly scheduleSteps?: unknown } },
  file: CheckpointFile,
  checkpoint: string,
  dir: string,
  io: CommandIo,
  fail: (message: string) => number,
): number => {
  const scheduleSteps = typeof run.train?.scheduleSteps === 'number' ? run.train.scheduleSteps : Math.max(1, file.meta.step)
  const parts = singleModelPackage(family, run.model, { tensors: file.tensors, step: file.meta.step, batchSize: file.meta.batchSize, lastLoss: lastLossOf(checkpoint), scheduleSteps, source: checkpoint })
  if (E.isLeft(parts)) return fail(`${checkpoint} (metadata.config): ${parts.left}`)
  const written = writePackage(dir, family, { config: parts.right.config, checkpoint: parts.right.checkpoint })
  if (E.isLeft(written)) return fail(written.left)
  io.out(`wrote ${dir}: ${written.right.join(', ')}; ${PACKAGE_FAMILIES[family].checkpoint} in ${parts.right.layout}`)
  io.out(`train it: torchrun --nproc_per_node <N> ${join(dir, 'train.py')} --steps <S>   (Debian's PyTorch 1.13 on Python 3.11: torchrun --redirects 1 --tee 1 …)`)
  return EXIT.ok
}

export const register = (program: Command): void => {
  program
    .command('export')
    .description('write an I-JEPA run as the official PyTorch checkpoint (facebookresearch/ijepa layout, torch.save), or an I-JEPA, MAE or VICReg run as a PyTorch package with a torchrun trainer')
    .argument('<run>', 'a run directory or a checkpoint.safetensors file')
    .requiredOption('--to <format>', 'pytorch')
    .option('--out <file>', 'the .pth.tar file to write (never replaced)')
    .option('--package <dir>', 'the package directory to write: model modules, step, train.py, config, checkpoint (I-JEPA: official YAML too; never replaced)')
    .action(async (target: string, options: ExportCommandOptions) => {
      process.exitCode = await runExport(target, options)
    })
}
