/**
 * An I-JEPA run as the official trainer's checkpoint (facebookresearch/ijepa `save_checkpoint`
 * layout), so that PyTorch — and that repository's own DDP trainer through `load_checkpoint` — can
 * pick the run up: `{ encoder, predictor, target_encoder, opt, scaler, epoch, loss, batch_size,
 * world_size, lr }`.
 *
 * Contract: `ijepaOfficialValue(tensors, config, meta)` builds the value `torchSaveBytes` writes:
 * - the three models as DistributedDataParallel state dicts (`module.` on every key) in the
 *   reference modules' `named_parameters` order (own params first: `pos_embed`; `mask_token`,
 *   `predictor_pos_embed`; then the children in registration order), the fixed position
 *   embeddings as entries (our sin-cos table);
 * - `opt`: an AdamW `state_dict` over the reference's four param groups (encoder weights, predictor
 *   weights — both including the frozen pos-embeds, which get no state —, encoder biases and 1-D
 *   params, predictor biases and 1-D params; `WD_exclude` on the last two), with our moments as
 *   `exp_avg` / `exp_avg_sq` and our step count as `step`; lr and weight decay are the schedules'
 *   values at the run's step;
 * - `scaler: None`, `epoch: 0` (steps do not map to the trainer's epochs), `loss` (the last logged
 *   loss, or 0), `batch_size`, `world_size: 1`, `lr` (the config's peak lr).
 * Left(message) when the checkpoint lacks a tensor the layout needs (naming it).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type HostTensor, PyDict, PyFloat, PyTuple, type PyValue, inferOrThrow } from '@jepa-ts/core'
import { posEmbed2d } from '@jepa-ts/nn'
import { type IjepaConfig, ijepaParts, scheduleValuesAt } from '@jepa-ts/ssl'
import { specShapes } from '../import/official-sections.ts'
import { ijepaOptGroups } from '../import/ijepa-opt-groups.ts'

/** What the export needs of a checkpoint. */
export interface ExportSource {
  readonly tensors: Readonly<Record<string, HostTensor>>
  readonly step: number
  readonly batchSize: number
  readonly lastLoss: number | undefined
  /** The schedule length of the run (for lr and wd at `step`). */
  readonly scheduleSteps: number
}

/** Names of a module in the reference's `named_parameters` order: own params first, then the children's. */
const officialOrder = (names: readonly string[], own: readonly string[]): string[] => [...own, ...names.filter((n) => !own.includes(n))]

/** Builds the official checkpoint value (see the module contract). */
export const ijepaOfficialValue = (src: ExportSource, config: IjepaConfig): E.Either<string, PyValue> => {
  const parts = ijepaParts(config, Math.max(src.scheduleSteps, 1, config.optimizer.warmupSteps))
  const [H, W, C] = config.image
  const D = config.encoder.dim
  const Dp = config.predictor.dim
  const [gh, gw] = parts.encoder.grid
  const encoderNames = officialOrder([...specShapes(inferOrThrow(parts.encoder.layer, [1, H, W, C]).params).keys()], ['pos_embed'])
  const predictorNames = officialOrder([...specShapes(inferOrThrow(parts.predictor.layer, [[1, 1, D], [1, 1], [1, 1, 1]]).params).keys()], ['mask_token', 'predictor_pos_embed'])
  const fixed: Record<string, HostTensor> = {
    pos_embed: { dtype: 'F32', shape: [1, gh * gw, D], data: posEmbed2d(gh, gw, D) },
    predictor_pos_embed: { dtype: 'F32', shape: [1, gh * gw, Dp], data: posEmbed2d(gh, gw, Dp) },
  }
  const missing: string[] = []
  const tensorAt = (path: string): HostTensor => {
    const t = src.tensors[path]
    if (t === undefined) {
      missing.push(path)
      return { dtype: 'F32', shape: [0], data: new Float32Array(0) }
    }
    return t
  }
  const stateDict = (root: string, names: readonly string[]): Array<readonly [string, HostTensor]> =>
    names.map((n) => [n, fixed[n] ?? tensorAt(`${root}.${n}`)] as const)
  const encoder = stateDict('params.encoder', encoderNames)
  const predictor = stateDict('params.predictor', predictorNames)
  const target = stateDict('target.encoder', encoderNames)
  const { lr, wd } = scheduleValuesAt(parts.schedules, src.step)
  const groups = ijepaOptGroups(encoder.map(([n, t]) => [n, t.shape.length] as const), predictor.map(([n, t]) => [n, t.shape.length] as const))
  const state: Array<readonly [number, PyValue]> = []
  const paramGroups: PyValue[] = groups.map((g) => {
    for (const slot of g.slots.filter((s) => !s.frozen)) {
      state.push([slot.index, new PyDict([
        ['step', { dtype: 'F32', shape: [], data: new Float32Array([src.step]) }],
        ['exp_avg', tensorAt(`opt.m.${slot.module}.${slot.name}`)],
        ['exp_avg_sq', tensorAt(`opt.v.${slot.module}.${slot.name}`)],
      ])])
    }
    return new PyDict([
      ['lr', new PyFloat(lr)], ['betas', new PyTuple([new PyFloat(0.9), new PyFloat(0.999)])], ['eps', new PyFloat(1e-8)],
      ['weight_decay', new PyFloat(g.exclude ? 0 : wd)], ['amsgrad', false], ['foreach', null], ['maximize', false], ['capturable', false],
      ...(g.exclude ? [['WD_exclude', true] as const] : []),
      ['params', g.slots.map((s) => s.index)],
    ])
  })
  if (missing.length > 0) return E.left(`the checkpoint lacks ${missing.length} tensors of the I-JEPA layout (${missing.slice(0, 6).join(', ')}${missing.length > 6 ? ', …' : ''})`)
  const ddp = (entries: ReadonlyArray<readonly [string, HostTensor]>): PyDict => new PyDict(entries.map(([n, t]) => [`module.${n}`, t] as const), true)
  return E.right(new PyDict([
    ['encoder', ddp(encoder)],
    ['predictor', ddp(predictor)],
    ['target_encoder', ddp(target)],
    ['opt', new PyDict([['state', new PyDict(state)], ['param_groups', paramGroups]])],
    ['scaler', null],
    ['epoch', 0],
    ['loss', new PyFloat(src.lastLoss ?? 0)],
    ['batch_size', src.batchSize],
    ['world_size', 1],
    ['lr', new PyFloat(config.optimizer.lr)],
  ]))
}
