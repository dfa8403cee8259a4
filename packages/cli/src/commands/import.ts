/**
 * `jepa import <file> --family ijepa|mae [--out dir] [--heads n] [--decoder-heads n] [--batch-size n]`: reads an
 * official PyTorch checkpoint (`torch.save`, e.g. facebookresearch/ijepa's `.pth.tar`) with the
 * restricted reader and writes a run directory that `jepa eval` reads (see
 * `import/import-torch.ts` for what is checked and written).
 *
 * Exit codes: 0 imported; 2 bad input (an unreadable or refused file, a layout or shape that does
 * not match, a position embedding that is not the sin-cos table, an existing checkpoint in --out),
 * with a message naming the file and the tensor.
 */
import { basename } from 'node:path'
import type { Command } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import { IMPORT_FAMILIES, importTorchCheckpoint, isImportFamily } from '../import/import-torch.ts'
import { type CommandIo, EXIT, consoleIo, parsers } from './train.ts'

/** Options of `jepa import`, as commander parses them. */
export interface ImportCommandOptions {
  readonly family: string
  readonly out?: string
  readonly heads?: number
  readonly decoderHeads?: number
  readonly batchSize?: number
}

/** The default run directory of an imported file: `runs/<file name up to its first dot>`. */
export const defaultImportDir = (file: string): string => `runs/${basename(file).split('.')[0] || 'imported'}`

/** Runs `jepa import` and returns its exit code. */
export const runImport = async (file: string, options: ImportCommandOptions, io: CommandIo = consoleIo): Promise<number> => {
  if (!isImportFamily(options.family)) {
    io.err(`jepa import: --family expects one of ${Object.keys(IMPORT_FAMILIES).join(', ')}, got "${options.family}"`)
    return EXIT.badInput
  }
  const r = await importTorchCheckpoint(file, {
    family: options.family,
    out: options.out ?? defaultImportDir(file),
    ...(options.heads === undefined ? {} : { heads: options.heads }),
    ...(options.decoderHeads === undefined ? {} : { decoderHeads: options.decoderHeads }),
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
  })
  if (E.isLeft(r)) {
    io.err(`jepa import: ${r.left}`)
    return EXIT.badInput
  }
  const { plan } = r.right
  io.out(`imported ${plan.family} from ${file}: ${r.right.tensors} tensors, model ${JSON.stringify(plan.runConfig.model)}`)
  io.out(`position embeddings checked against the 2-D sin-cos table: ${plan.buffers.map((b) => b.from).join(', ')}`)
  io.out(`not imported: ${String(plan.provenance.notImported)}`)
  io.out(`wrote ${r.right.checkpoint} and import.json`)
  return EXIT.ok
}

export const register = (program: Command): void => {
  program
    .command('import')
    .description('import an official PyTorch checkpoint (torch.save: I-JEPA .pth.tar, MAE .pth) into a run directory that jepa eval reads')
    .argument('<file>', 'the torch.save file')
    .requiredOption('--family <name>', `the checkpoint's layout: ${Object.keys(IMPORT_FAMILIES).join(' | ')}`)
    .option('--out <dir>', 'run directory to write (default: runs/<file name>)')
    .option('--heads <n>', 'attention heads (needed when the width is not a standard ViT width)', parsers.positiveInt('--heads'))
    .option('--decoder-heads <n>', 'MAE decoder heads (needed unless the decoder width is the reference\'s 512)', parsers.positiveInt('--decoder-heads'))
    .option('--batch-size <n>', 'batch size recorded in the run config (default: the file\'s batch_size, else 64)', parsers.positiveInt('--batch-size'))
    .action(async (file: string, options: ImportCommandOptions) => {
      process.exitCode = await runImport(file, options)
    })
}
