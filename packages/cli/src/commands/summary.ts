/**
 * `jepa summary`: the I-JEPA encoder and predictor of a ViT preset (or custom sizes) as summary
 * tables — layer paths, output shapes, params and FLOPs — from the shape interpreter alone, with
 * no tensor allocated. Invalid sizes are reported with the layer path and the numbers.
 */
import { type Command, InvalidArgumentError } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import { summarize, formatSummary, formatCount } from '@jepa-ts/core'
import { vit, vitPresets, predictor } from '@jepa-ts/nn'

/** Options of `jepa summary`, as commander parses them. */
export interface SummaryOptions {
  readonly preset: keyof typeof vitPresets
  readonly image: number
  readonly patch: number
  readonly channels: number
  readonly depth?: number
  readonly predictorDim: number
  readonly predictorDepth: number
  readonly batch: number
}

const positiveInt = (flag: string) => (value: string): number => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} expects a positive integer, got "${value}"`)
  return n
}

/** The text `jepa summary` prints, or an error message. */
export const summaryText = (o: SummaryOptions): E.Either<string, string> => {
  const size = vitPresets[o.preset]
  if (size === undefined) return E.left(`--preset expects one of ${Object.keys(vitPresets).join(', ')}, got "${o.preset}"`)
  const depth = o.depth ?? size.depth
  const encoder = vit({ ...size, depth, imageSize: o.image, patchSize: o.patch, inChans: o.channels })
  const encoderSummary = summarize(encoder.layer, [o.batch, o.image, o.image, o.channels])
  if (E.isLeft(encoderSummary)) return E.left(`encoder: ${encoderSummary.left.message}`)
  const [gh, gw] = encoder.grid
  const pred = predictor({ grid: [gh, gw], embedDim: size.dim, predictorDim: o.predictorDim, depth: o.predictorDepth, heads: size.heads })
  // A representative I-JEPA batch: ~25% of tokens as context, 4 target blocks of ~15%.
  const n = gh * gw
  const kc = Math.max(1, Math.round(0.25 * n))
  const kt = Math.max(1, Math.round(0.15 * n))
  const predSummary = summarize(pred.layer, [[o.batch, kc, size.dim], [o.batch, kc], [4, o.batch, kt]])
  if (E.isLeft(predSummary)) return E.left(`predictor: ${predSummary.left.message}`)
  const title = `I-JEPA ViT-${o.preset[0]!.toUpperCase()}${o.preset.slice(1)}/${o.patch} at ${o.image}×${o.image}×${o.channels}: ${gh}×${gw} patches, depth ${depth}`
  return E.right(
    [
      title,
      '',
      formatSummary({ ...encoderSummary.right, name: 'encoder (context and EMA target)' }),
      '',
      formatSummary({ ...predSummary.right, name: `predictor (${kc} context tokens, 4 target blocks of ${kt})` }),
      '',
      `trainable: encoder ${formatCount(encoderSummary.right.totalParams)} + predictor ${formatCount(predSummary.right.totalParams)} params; the EMA target encoder holds another ${formatCount(encoderSummary.right.totalParams)}`,
    ].join('\n'),
  )
}

export const register = (program: Command): void => {
  program
    .command('summary')
    .description('print the summary table of an I-JEPA encoder and predictor (shapes, params, FLOPs), without allocating tensors')
    .option('--preset <name>', `ViT size: ${Object.keys(vitPresets).join(', ')}`, 'tiny')
    .option('--image <px>', 'image side in pixels', positiveInt('--image'), 224)
    .option('--patch <px>', 'patch side in pixels', positiveInt('--patch'), 16)
    .option('--channels <n>', 'image channels', positiveInt('--channels'), 3)
    .option('--depth <n>', 'encoder depth (default: the preset\'s)', positiveInt('--depth'))
    .option('--predictor-dim <n>', 'predictor width', positiveInt('--predictor-dim'), 384)
    .option('--predictor-depth <n>', 'predictor depth', positiveInt('--predictor-depth'), 12)
    .option('--batch <n>', 'batch size for the FLOPs column', positiveInt('--batch'), 1)
    .action((options: SummaryOptions) => {
      const r = summaryText(options)
      if (E.isLeft(r)) {
        console.error(`jepa summary: ${r.left}`)
        process.exitCode = 2
        return
      }
      console.log(r.right)
    })
}
