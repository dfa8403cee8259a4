/**
 * `jepa export <run dir | checkpoint> --to pytorch --out <file.pth.tar>`: writes an I-JEPA run as
 * the official trainer's `torch.save` checkpoint (see `export/ijepa-official.ts`): weights, target
 * encoder, AdamW moments over the reference's param groups, the fixed position embeddings. The
 * file is written atomically and an existing file is never replaced.
 *
 * Exit codes: 0 written; 2 bad input (an unreadable checkpoint, a family other than ijepa, an
 * existing --out, a --to other than pytorch), with a message naming the file.
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
import { checkpointPathOf } from './eval.ts'
import { type CommandIo, EXIT, consoleIo } from './train.ts'

/** Options of `jepa export`, as commander parses them. */
export interface ExportCommandOptions {
  readonly to: string
  readonly out: string
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** Runs `jepa export` and returns its exit code. */
export const runExport = async (target: string, options: ExportCommandOptions, io: CommandIo = consoleIo): Promise<number> => {
  const fail = (message: string): number => {
    io.err(`jepa export: ${message}`)
    return EXIT.badInput
  }
  if (options.to !== 'pytorch') return fail(`--to expects "pytorch", got "${options.to}"`)
  if (existsSync(options.out)) return fail(`${options.out} already exists; an export never replaces a file (choose another --out)`)
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
  try {
    const archive = (options.out.split('/').at(-1) ?? 'archive').split('.')[0] || 'archive'
    await atomicWriteFile(options.out, torchSaveBytes(value.right, archive))
  } catch (e) {
    return fail(messageOf(e))
  }
  io.out(`wrote ${options.out}: the official I-JEPA checkpoint layout (encoder, predictor, target_encoder with module. prefixes, opt over the reference's 4 param groups, step ${file.meta.step})`)
  return EXIT.ok
}

export const register = (program: Command): void => {
  program
    .command('export')
    .description('write an I-JEPA run as the official PyTorch checkpoint (facebookresearch/ijepa layout, torch.save)')
    .argument('<run>', 'a run directory or a checkpoint.safetensors file')
    .requiredOption('--to <format>', 'pytorch')
    .requiredOption('--out <file>', 'the .pth.tar file to write (never replaced)')
    .action(async (target: string, options: ExportCommandOptions) => {
      process.exitCode = await runExport(target, options)
    })
}
