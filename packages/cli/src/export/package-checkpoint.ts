/**
 * The checkpoint of an MAE or VICReg PyTorch package (`jepa export --to pytorch --package`): the
 * layout the package's `jepa_train.py` loads and writes, which for MAE is facebookresearch/mae's
 * `save_model` layout (`{ model, optimizer, epoch, scaler }`, the model under the reference's flat
 * names) with jepa-ts's additions:
 *
 *   model        the state dict: every param of `params.<branch>.<name>` under the family's file
 *                name (MAE: `<name>`, VICReg: `<branch>.<name>`), plus the fixed sin-cos tables
 *                (`pos_embed`, MAE's `decoder_pos_embed`; a leading zero row with a CLS token)
 *   optimizer    a torch AdamW `state_dict`: group 0 = the params jepa-ts does not decay (weight
 *                decay 0), group 1 = the others (the schedule's weight decay at the run's step),
 *                lr of the run's step, the family's betas; state i = {step, exp_avg, exp_avg_sq}
 *                from our moments (`opt.m.*`, `opt.v.*`) and step count
 *   param_names  the file names of the optimizer's params in its numbering, one list per group, so
 *                a reader maps the moments by name (the package's `Trainer.load`, `jepa import`)
 *   epoch 0, scaler None, loss (the last logged loss, or 0), batch_size, world_size 1, step
 *
 * Contract: `packageCheckpointValue(src, layout)` is Left naming the first tensors the checkpoint
 * lacks. Pure; the tensors are shared, not copied.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type HostTensor, PyDict, PyFloat, PyTuple, type PyValue } from '@jepa-ts/core'
import type { ExportSource } from './ijepa-official.ts'

/** What a family contributes to its package checkpoint. */
export interface PackageLayout {
  /** Our param paths (without `params.`), e.g. `encoder.blocks.0.attn.qkv.weight`, with ranks. */
  readonly params: ReadonlyArray<readonly [string, number]>
  /** The file's name of a param path. */
  readonly fileName: (path: string) => string
  /** jepa-ts's weight-decay rule on a param path and rank. */
  readonly decays: (path: string, rank: number) => boolean
  /** Fixed tables written into `model` (file name → tensor). */
  readonly buffers: ReadonlyArray<readonly [string, HostTensor]>
  readonly betas: readonly [number, number]
  /** lr and weight decay of the run's step. */
  readonly lr: number
  readonly wd: number
}

/** The rule `decayExceptBiasAnd1d` of `@jepa-ts/train` on a path and a rank. */
export const decayExceptBiasAnd1dByRank = (path: string, rank: number): boolean => !path.includes('bias') && rank !== 1

/** Builds the checkpoint value (see the module contract). */
export const packageCheckpointValue = (src: ExportSource, layout: PackageLayout): E.Either<string, PyValue> => {
  const missing: string[] = []
  const at = (path: string): HostTensor => {
    const t = src.tensors[path]
    if (t !== undefined) return t
    missing.push(path)
    return { dtype: 'F32', shape: [0], data: new Float32Array(0) }
  }
  const groups = [false, true].map((decayed) => layout.params.filter(([p, rank]) => layout.decays(p, rank) === decayed).map(([p]) => p))
  const model = new PyDict([...layout.buffers, ...layout.params.map(([p]) => [layout.fileName(p), at(`params.${p}`)] as const)], true)
  const order = groups.flat()
  const state = new PyDict(order.map((p, i) => [i, new PyDict([
    ['step', { dtype: 'F32', shape: [], data: new Float32Array([src.step]) }],
    ['exp_avg', at(`opt.m.${p}`)],
    ['exp_avg_sq', at(`opt.v.${p}`)],
  ])] as const))
  let index = 0
  const paramGroups = groups.map((g, i) => new PyDict([
    ['lr', new PyFloat(layout.lr)], ['betas', new PyTuple(layout.betas.map((b) => new PyFloat(b)))], ['eps', new PyFloat(1e-8)],
    ['weight_decay', new PyFloat(i === 0 ? 0 : layout.wd)], ['amsgrad', false], ['foreach', null], ['maximize', false], ['capturable', false],
    ['params', g.map(() => index++)],
  ]))
  if (missing.length > 0) return E.left(`the checkpoint lacks ${missing.length} tensors of the package layout (${missing.slice(0, 6).join(', ')}${missing.length > 6 ? ', …' : ''})`)
  return E.right(new PyDict([
    ['model', model],
    ['optimizer', new PyDict([['state', state], ['param_groups', paramGroups]])],
    ['param_names', groups.map((g) => g.map(layout.fileName))],
    ['epoch', 0],
    ['scaler', null],
    ['loss', new PyFloat(src.lastLoss ?? 0)],
    ['batch_size', src.batchSize],
    ['world_size', 1],
    ['step', src.step],
  ]))
}
