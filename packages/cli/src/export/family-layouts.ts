/**
 * The package-checkpoint layouts of the MAE and VICReg families (`package-checkpoint.ts`): which of
 * our params go into the PyTorch package's state dict under which names, the fixed sin-cos tables
 * the package's modules hold as frozen params, jepa-ts's weight-decay rule, the AdamW betas, and
 * the lr and weight decay at the run's step. Param paths come from the families' declared Layer
 * trees (the shape interpreter; nothing is allocated).
 *
 *   MAE     file names = the reference's flat names (`blocks.0.attn.qkv.weight`, `cls_token`,
 *           `decoder_embed.weight`, `mask_token`, …); tables `pos_embed` [1, (1 +) L, D],
 *           `decoder_pos_embed` [1, (1 +) L, Dd] (a zero CLS row with `clsToken`); no decay on
 *           biases, 1-D params, mask_token, cls_token (`maeDecays`); betas (0.9, 0.95)
 *   VICReg  file names = our paths (`encoder.blocks.0…`, `projector.fc1.weight`); table
 *           `encoder.pos_embed` [1, L, D]; no decay on biases and 1-D params; betas (0.9, 0.999)
 */
import { type HostTensor, inferOrThrow } from '@jepa-ts/core'
import { posEmbed2d } from '@jepa-ts/nn'
import { type MaeConfig, type VicregConfig, jointParts, maeParts, patchGrid, scheduleValuesAt } from '@jepa-ts/ssl'
import { specShapes } from '../import/official-sections.ts'
import { type PackageLayout, decayExceptBiasAnd1dByRank } from './package-checkpoint.ts'

/** A [1, zeroRows + gh·gw, dim] sin-cos table with `zeroRows` leading zero rows. */
export const sincosTable = (grid: readonly [number, number], dim: number, zeroRows: number): HostTensor => {
  const data = new Float32Array((zeroRows + grid[0] * grid[1]) * dim)
  data.set(posEmbed2d(grid[0], grid[1], dim), zeroRows * dim)
  return { dtype: 'F32', shape: [1, zeroRows + grid[0] * grid[1], dim], data }
}

const ranks = (m: ReadonlyMap<string, readonly number[]>): Array<readonly [string, number]> => [...m].map(([p, s]) => [p, s.length] as const)

/** The MAE layout of a run at `step` of `totalSteps`. */
export const maePackageLayout = (config: MaeConfig, totalSteps: number, step: number): PackageLayout => {
  const parts = maeParts(config, totalSteps)
  const [H, W, C] = config.image
  const grid = patchGrid(config)
  const extra = config.clsToken ? 1 : 0
  const D = config.encoder.dim
  const encoder = ranks(specShapes(inferOrThrow(parts.encoder.layer, [1, H, W, C]).params, 'encoder'))
  const decoder = ranks(specShapes(inferOrThrow(parts.decoder.layer, [[1, 1 + extra, D], [1, grid[0] * grid[1]]]).params, 'decoder'))
  const { lr, wd } = scheduleValuesAt(parts.schedules, step)
  return {
    params: [...encoder, ...(config.clsToken ? [['encoder.cls_token', 3] as const] : []), ...decoder],
    fileName: (p) => p.slice(p.indexOf('.') + 1),
    decays: (p, rank) => decayExceptBiasAnd1dByRank(p, rank) && !p.endsWith('mask_token') && !p.endsWith('cls_token'),
    buffers: [['pos_embed', sincosTable(grid, D, extra)], ['decoder_pos_embed', sincosTable(grid, config.decoder.dim, extra)]],
    betas: [0.9, 0.95],
    lr,
    wd,
  }
}

/** The VICReg layout of a run at `step` of `totalSteps`. */
export const vicregPackageLayout = (config: VicregConfig, totalSteps: number, step: number): PackageLayout => {
  const parts = jointParts(config, totalSteps)
  const [H, W, C] = config.image
  const D = config.encoder.dim
  const encoder = ranks(specShapes(inferOrThrow(parts.encoder.layer, [1, H, W, C]).params, 'encoder'))
  const projector = ranks(specShapes(inferOrThrow(parts.projector, [1, D]).params, 'projector'))
  const { lr, wd } = scheduleValuesAt(parts.schedules, step)
  return {
    params: [...encoder, ...projector],
    fileName: (p) => p,
    decays: decayExceptBiasAnd1dByRank,
    buffers: [['encoder.pos_embed', sincosTable([H / config.patchSize, W / config.patchSize], D, 0)]],
    betas: [0.9, 0.999],
    lr,
    wd,
  }
}
