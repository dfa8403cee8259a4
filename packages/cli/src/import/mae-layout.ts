/**
 * The official MAE checkpoint layout (facebookresearch/mae `main_pretrain.py` → `misc.save_model`):
 * `{ model, optimizer, epoch, scaler, args }` with `model` the `MaskedAutoencoderViT` state dict
 * (no DDP prefix; stripped if present): `cls_token`, `pos_embed` [1, 1 + L, D] and
 * `decoder_pos_embed` [1, 1 + L, Dd] (fixed sin-cos with a zero CLS row), `patch_embed.proj.*`,
 * `blocks.<i>.*`, `norm.*`, `decoder_embed.*`, `mask_token`, `decoder_blocks.<i>.*`,
 * `decoder_norm.*`, `decoder_pred.*`; `args` an argparse.Namespace (read as data: `mask_ratio`,
 * `norm_pix_loss` are taken from it when present).
 *
 * Contract: `maePlan(file, options)` infers the architecture from the shapes (as `ijepaPlan`; the
 * decoder's width and depth from `decoder_embed.weight` [Dd, D] and `decoder_blocks.<i>`; the
 * decoder heads from `--decoder-heads`, the given config, or 16 at width 512, the reference's),
 * builds our MAE — `clsToken: true` when the file has a `cls_token` (the reference's; position
 * tables [1, 1 + L, ·] with a zero CLS row), else `false` (a jepa-ts package's checkpoint of a run
 * without one; tables [1, L, ·]) — and checks every name and shape. Mapping: the encoder's names →
 * `params.encoder.*`, the decoder's (`decoder_*`, `mask_token`) → `params.decoder.*`. Refused,
 * naming the file: an encoder-only file (no `decoder_embed.weight`; the released fine-tuning
 * checkpoints are such), a patch head whose size is not p²·C.
 * With `options.config` (an exported package's config.json or a run config), its model config
 * (pixelNorm, maskRatio, optimizer, …) is taken after checking its image, patchSize, encoder,
 * decoder and clsToken against the shapes, and its scheduleSteps recorded. The optimizer state is
 * imported when the file carries `param_names` (jepa-ts packages: `named-optimizer.ts`; the run's
 * step is then the optimizer's), else the run starts with fresh moments at step 0 (the official
 * files: facebookresearch/mae decays mask_token and cls_token, which we do not, so its groups
 * would not map anyway).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type TorchFile, PickleDict, PickleObject, inferOrThrow } from '@jepa-ts/core'
import { decodeMaeConfig, maeParts } from '@jepa-ts/ssl'
import type { JsonValue } from '@jepa-ts/train/node'
import { type ImportPlan, type PlannedBuffer, headsFor } from './import-plan.ts'
import { type Section, blockCount, compareToSpecs, section, shapeOf, specShapes } from './official-sections.ts'
import { type ImportOptions, givenDiffers, scalarsOf } from './ijepa-layout.ts'
import { namedOptimizerPlan } from './named-optimizer.ts'

/** Options of an MAE import. */
export interface MaeImportOptions extends ImportOptions {
  /** Decoder heads (required unless the decoder width is 512). */
  readonly decoderHeads?: number
}

const squareSide = (n: number): number | undefined => {
  const g = Math.round(Math.sqrt(n))
  return g * g === n ? g : undefined
}

const DECODER_PREFIXES = ['decoder_', 'mask_token']

/** A Namespace's scalar attributes (`args`), or {} when absent. */
const argsOf = (file: Pick<TorchFile, 'root'>): Record<string, JsonValue> => {
  const args = file.root instanceof PickleDict ? file.root.entries.get('args') : undefined
  const out: Record<string, JsonValue> = {}
  if (!(args instanceof PickleObject)) return out
  for (const [k, v] of args.attributes) if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || v === null) out[k] = v
  return out
}

const buffer = (s: Section, name: string, grid: number, dim: number, zeroRows: number): PlannedBuffer | string => {
  const ref = s.entries.get(name)
  if (ref === undefined) return `has no "${name}" (the fixed position embedding of the official layout)`
  if (ref.shape.join() !== [1, zeroRows + grid * grid, dim].join()) return `${name}: expected shape [1, ${zeroRows + grid * grid}, ${dim}], got [${ref.shape.join(', ')}]`
  return { from: `${s.key}.${name}`, ref, grid: [grid, grid], dim, zeroRows }
}

/** Plans the import of an official MAE checkpoint (see the module contract). */
export const maePlan = (file: Pick<TorchFile, 'source' | 'root'>, options: MaeImportOptions = {}): E.Either<string, ImportPlan> => {
  const src = file.source
  const model = section(file, 'model')
  if (E.isLeft(model)) return E.left(`${model.left} (the official MAE layout holds the model's state dict under "model")`)
  const s = model.right
  const need = (name: string): E.Either<string, readonly number[]> => shapeOf(src, s, name)
  if (!s.entries.has('decoder_embed.weight')) return E.left(`${src}: state dict "model" has no decoder (no decoder_embed.weight): an encoder-only MAE checkpoint cannot be imported as the MAE family`)
  const cls = s.entries.has('cls_token')
  const extra = cls ? 1 : 0
  const shapes = [need('patch_embed.proj.weight'), need('pos_embed'), need('decoder_embed.weight')]
  const bad = shapes.find(E.isLeft)
  if (bad !== undefined && E.isLeft(bad)) return bad
  const [pw, pos, de] = shapes.map((x) => (x as E.Right<readonly number[]>).right) as [readonly number[], readonly number[], readonly number[]]
  if (pw.length !== 4 || pw[2] !== pw[3]) return E.left(`${src}: model.patch_embed.proj.weight: expected [D, C, p, p], got [${pw.join(', ')}]`)
  const [dim, channels, patch] = pw as [number, number, number]
  const grid = pos.length === 3 ? squareSide(pos[1]! - extra) : undefined
  if (grid === undefined) return E.left(`${src}: model.pos_embed: expected [1, ${cls ? '1 + ' : ''}g², ${dim}] (${cls ? 'a CLS slot and ' : ''}a square patch grid), got [${pos.join(', ')}]`)
  const decoderDim = de[0]!
  const given = options.config
  const givenHeads = (part: string): number | undefined => {
    const h = (given?.model[part] as { readonly heads?: JsonValue } | undefined)?.heads
    return typeof h === 'number' ? h : undefined
  }
  const heads = headsFor(dim, options.heads ?? givenHeads('encoder'))
  if ('error' in heads) return E.left(`${src}: ${heads.error}`)
  const decoderHeads = options.decoderHeads ?? givenHeads('decoder') ?? (decoderDim === 512 ? 16 : undefined)
  if (decoderHeads === undefined) return E.left(`${src}: the decoder's heads cannot be read from the shapes and its width ${decoderDim} is not the reference's 512 (16 heads); give --decoder-heads`)
  const args = argsOf(file)
  const modelConfig: JsonValue = {
    image: [grid * patch, grid * patch, channels],
    patchSize: patch,
    encoder: { dim, depth: blockCount(s, 'blocks'), heads: heads.heads },
    decoder: { dim: decoderDim, depth: blockCount(s, 'decoder_blocks'), heads: decoderHeads },
    ...(typeof args.mask_ratio === 'number' ? { maskRatio: args.mask_ratio } : {}),
    ...(typeof args.norm_pix_loss === 'boolean' ? { normPix: args.norm_pix_loss } : {}),
    clsToken: cls,
  }
  const differs = givenDiffers(src, given, modelConfig as { readonly [k: string]: JsonValue }, ['image', 'patchSize', 'encoder', 'decoder', 'clsToken'])
  if (differs !== undefined) return E.left(differs)
  const config = decodeMaeConfig(given?.model ?? modelConfig)
  if (E.isLeft(config)) return E.left(`${given?.source ?? src}: the ${given === undefined ? 'inferred' : 'given'} MAE config does not decode:\n${config.left.format()}`)
  const parts = maeParts(config.right, Math.max(1, config.right.optimizer.warmupSteps))
  const [H, W, C] = config.right.image
  const expected = new Map<string, readonly number[]>([
    ...specShapes(inferOrThrow(parts.encoder.layer, [1, H, W, C]).params),
    ...(cls ? [['cls_token', [1, 1, dim]] as const] : []),
    ...specShapes(inferOrThrow(parts.decoder.embed, [1, 1, dim]).params, 'decoder_embed'),
    ['mask_token', [1, 1, decoderDim]],
    ...specShapes(inferOrThrow(parts.decoder.trunk, [1, grid * grid, decoderDim]).params),
  ])
  const skip = new Set(['pos_embed', 'decoder_pos_embed'])
  const checked = compareToSpecs(src, s, expected, skip)
  if (E.isLeft(checked)) return checked
  const buffers = [buffer(s, 'pos_embed', grid, dim, extra), buffer(s, 'decoder_pos_embed', grid, decoderDim, extra)]
  const badBuffer = buffers.find((b): b is string => typeof b === 'string')
  if (badBuffer !== undefined) return E.left(`${src}: state dict "model" ${badBuffer}`)
  const scalars = scalarsOf(file, ['epoch', 'loss', 'batch_size', 'world_size', 'step'])
  const optimizer = namedOptimizerPlan(file, s, (n) => `${DECODER_PREFIXES.some((p) => n.startsWith(p)) ? 'decoder' : 'encoder'}.${n}`)
  const fileBatch = typeof scalars.batch_size === 'number' && scalars.batch_size > 0 ? scalars.batch_size : typeof args.batch_size === 'number' ? args.batch_size : 64
  return E.right({
    family: 'mae',
    runConfig: { family: 'mae', model: given?.model ?? modelConfig, train: { batchSize: options.batchSize ?? fileBatch, scheduleSteps: given?.scheduleSteps ?? 1, seed: 0 } },
    copies: [
      ...[...s.entries].filter(([n]) => !skip.has(n)).map(([n, ref]) => ({
        from: `model.${n}`,
        ref,
        to: DECODER_PREFIXES.some((p) => n.startsWith(p)) ? `params.decoder.${n}` : `params.encoder.${n}`,
      })),
      ...('copies' in optimizer ? optimizer.copies : []),
    ],
    buffers: buffers as PlannedBuffer[],
    ...('steps' in optimizer ? { optimizerSteps: optimizer.steps } : {}),
    provenance: {
      layout: 'facebookresearch/mae save_model',
      ddpPrefix: s.stripped,
      ...scalars,
      ...(Object.keys(args).length > 0 ? { args } : {}),
      notImported: 'reason' in optimizer ? `optimizer (${optimizer.reason}: the run starts with fresh AdamW moments at step 0), scaler` : 'scaler',
    },
  })
}
