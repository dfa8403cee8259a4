/**
 * `jepa export <run dir | checkpoint> --to pytorch (--out <file.pth.tar> | --package <dir>)`:
 * - `--out`: the run as the official I-JEPA trainer's `torch.save` checkpoint (see
 *   `export/ijepa-official.ts`): weights, target encoder, AdamW moments over the reference's param
 *   groups, the fixed position embeddings;
 * - `--package`: a self-contained PyTorch package (see `export/pytorch-package.ts`): that
 *   checkpoint, the model modules, the loss and step, config.json, the official YAML config and a
 *   `train.py` for `torchrun`.
 * Files are written atomically and an existing file or directory is never replaced.
 *
 * Exit codes: 0 written; 2 bad input (an unreadable checkpoint, a family other than ijepa, an
 * existing --out or --package, neither or both of them, a --to other than pytorch, masks that the
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
import { PACKAGE_CHECKPOINT, exportableMasks, writeIjepaPackage } from '../export/pytorch-package.ts'
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
  if (file.meta.family !== 'ijepa') return fail(`${checkpoint}: family "${file.meta.family}": only ijepa runs can be exported to the official PyTorch layout so far`)
  const run = file.meta.config as { readonly model?: unknown; readonly train?: { readonly scheduleSteps?: unknown } }
  const config = decodeIjepaConfig(run.model, 'model')
  if (E.isLeft(config)) return fail(`${checkpoint} (metadata.config):\n${config.left.format()}`)
  const metricsFile = join(dirname(checkpoint), 'metrics.jsonl')
  const lastLoss = existsSync(metricsFile) ? parseMetrics(readFileSync(metricsFile, 'utf8')).at(-1)?.loss : undefined
  const scheduleSteps = typeof run.train?.scheduleSteps === 'number' ? run.train.scheduleSteps : Math.max(1, file.meta.step)
  const value = ijepaOfficialValue({ tensors: file.tensors, step: file.meta.step, batchSize: file.meta.batchSize, lastLoss, scheduleSteps }, config.right)
  if (E.isLeft(value)) return fail(`${checkpoint}: ${value.left}`)
  const layout = `the official I-JEPA checkpoint layout (encoder, predictor, target_encoder with module. prefixes, opt over the reference's 4 param groups, step ${file.meta.step})`
  if (options.package !== undefined) {
    const masks = exportableMasks(config.right)
    if (E.isLeft(masks)) return fail(`${checkpoint} (metadata.config.model): ${masks.left}`)
    // The family's schedule length, as ijepaOfficialValue and `jepa train` build it.
    const totalSteps = Math.max(scheduleSteps, 1, config.right.optimizer.warmupSteps)
    const written = writeIjepaPackage(options.package, {
      config: { family: 'ijepa', model: config.right, scheduleSteps: totalSteps, batchSize: file.meta.batchSize, step: file.meta.step, source: checkpoint },
      checkpoint: torchSaveBytes(value.right, 'checkpoint'),
      yaml: ijepaOfficialYaml(config.right, { batchSize: file.meta.batchSize, scheduleSteps: totalSteps, trainImages: YAML_TRAIN_IMAGES, checkpointFile: PACKAGE_CHECKPOINT }),
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

export const register = (program: Command): void => {
  program
    .command('export')
    .description('write an I-JEPA run as the official PyTorch checkpoint (facebookresearch/ijepa layout, torch.save) or as a PyTorch package with a torchrun trainer')
    .argument('<run>', 'a run directory or a checkpoint.safetensors file')
    .requiredOption('--to <format>', 'pytorch')
    .option('--out <file>', 'the .pth.tar file to write (never replaced)')
    .option('--package <dir>', 'the package directory to write: model modules, step, train.py, config, checkpoint, official YAML (never replaced)')
    .action(async (target: string, options: ExportCommandOptions) => {
      process.exitCode = await runExport(target, options)
    })
}
