/**
 * `jepa import <file> --family ijepa|mae|vicreg [--out dir] [--heads n] [--decoder-heads n] [--batch-size n] [--config file]`: reads an
 * official PyTorch checkpoint (`torch.save`, e.g. facebookresearch/ijepa's `.pth.tar`) with the
 * restricted reader and writes a run directory that `jepa eval` reads (see
 * `import/import-torch.ts` for what is checked and written).
 *
 * `--config`: a JSON file with a `model` section — a run config, or the config.json of a `jepa
 * export --package` — whose model config replaces the inferred one after its architecture is
 * checked against the shapes (pixelNorm, masks, views, optimizer and EMA are not in the shapes);
 * its `scheduleSteps` (top level or `train.scheduleSteps`) is recorded too. Optional for ijepa and
 * mae; required for vicreg (the checkpoint of an exported VICReg package, `import/vicreg-layout.ts`).
 *
 * Exit codes: 0 imported; 2 bad input (an unreadable or refused file, a layout or shape that does
 * not match, a position embedding that is not the sin-cos table, an existing checkpoint in --out),
 * with a message naming the file and the tensor.
 */
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import type { Command } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import type { JsonValue } from '@jepa-ts/train/node'
import type { GivenModelConfig } from '../import/ijepa-layout.ts'
import { IMPORT_FAMILIES, importTorchCheckpoint, isImportFamily } from '../import/import-torch.ts'
import { type CommandIo, EXIT, consoleIo, parsers } from './train.ts'

/** Options of `jepa import`, as commander parses them. */
export interface ImportCommandOptions {
  readonly family: string
  readonly out?: string
  readonly heads?: number
  readonly decoderHeads?: number
  readonly batchSize?: number
  readonly config?: string
}

/** The model section (and schedule length) of a `--config` file, or why it has none. */
export const readGivenConfig = (path: string): E.Either<string, GivenModelConfig> => {
  let value: unknown
  try {
    value = JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    return E.left(`--config ${path}: ${e instanceof Error ? e.message : String(e)}`)
  }
  const record = (v: unknown): v is { readonly [k: string]: JsonValue } => typeof v === 'object' && v !== null && !Array.isArray(v)
  if (!record(value) || !record(value.model)) return E.left(`--config ${path}: expected a JSON object with a "model" object (a run config or an exported package's config.json)`)
  const train = value.train
  const steps = typeof value.scheduleSteps === 'number' ? value.scheduleSteps : record(train) && typeof train.scheduleSteps === 'number' ? train.scheduleSteps : undefined
  return E.right({ source: path, model: value.model, ...(steps === undefined ? {} : { scheduleSteps: steps }) })
}

/** The default run directory of an imported file: `runs/<file name up to its first dot>`. */
export const defaultImportDir = (file: string): string => `runs/${basename(file).split('.')[0] || 'imported'}`

/** Runs `jepa import` and returns its exit code. */
export const runImport = async (file: string, options: ImportCommandOptions, io: CommandIo = consoleIo): Promise<number> => {
  if (!isImportFamily(options.family)) {
    io.err(`jepa import: --family expects one of ${Object.keys(IMPORT_FAMILIES).join(', ')}, got "${options.family}"`)
    return EXIT.badInput
  }
  let config: GivenModelConfig | undefined
  if (options.config !== undefined) {
    const given = readGivenConfig(options.config)
    if (E.isLeft(given)) {
      io.err(`jepa import: ${given.left}`)
      return EXIT.badInput
    }
    config = given.right
  }
  const r = await importTorchCheckpoint(file, {
    ...(config === undefined ? {} : { config }),
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
    .option('--config <file>', 'a run config or an exported package\'s config.json whose model config (pixelNorm, masks, views, optimizer, …) replaces the inferred one; its architecture must match the shapes (required for vicreg)')
    .action(async (file: string, options: ImportCommandOptions) => {
      process.exitCode = await runImport(file, options)
    })
}
