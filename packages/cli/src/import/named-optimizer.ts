/**
 * The AdamW state of a jepa-ts package checkpoint (`export/package-checkpoint.ts`; written by the
 * package's `jepa_train.py` and by `jepa export --package`): `optimizer` (a torch AdamW
 * `state_dict`) and `param_names` (the model's names of the optimizer's params in its numbering,
 * one list per param group), mapped by name onto our moments.
 *
 * Contract: `namedOptimizerPlan(file, model, pathOf)` returns the copies `exp_avg` → `opt.m.<path>`,
 * `exp_avg_sq` → `opt.v.<path>` (`pathOf(name)` = the param's path without `params.`) and every
 * state's `step`, or `{ reason }` when the file has no such state (facebookresearch/mae's own files
 * have no `param_names`), a name is not in `model`, or a moment's shape differs from its param's.
 * No tensor data is read.
 */
import { type TorchFile, type TorchTensorRef, PickleDict, isTorchTensor } from '@jepa-ts/core'
import type { PlannedCopy } from './import-plan.ts'
import type { Section } from './official-sections.ts'

/** The moments mapped onto our names, or why they cannot be. */
export type OptimizerPlan = { readonly copies: PlannedCopy[]; readonly steps: Array<TorchTensorRef | number> } | { readonly reason: string }

/** Maps the named AdamW state (see the module contract). */
export const namedOptimizerPlan = (file: Pick<TorchFile, 'root'>, model: Section, pathOf: (name: string) => string): OptimizerPlan => {
  const root = file.root instanceof PickleDict ? file.root : undefined
  const opt = root?.entries.get('optimizer')
  const names = root?.entries.get('param_names')
  const state = opt instanceof PickleDict ? opt.entries.get('state') : undefined
  if (!(state instanceof PickleDict)) return { reason: 'the file has no AdamW state_dict under "optimizer"' }
  if (!Array.isArray(names) || !names.every((g) => Array.isArray(g) && g.every((n) => typeof n === 'string'))) {
    return { reason: 'the file has no param_names (the optimizer\'s params by name, as jepa-ts packages write them); the moments cannot be matched to params' }
  }
  const copies: PlannedCopy[] = []
  const steps: Array<TorchTensorRef | number> = []
  const flat = (names as string[][]).flat()
  for (const [index, name] of flat.entries()) {
    const entry = state.entries.get(index)
    if (entry === undefined) continue
    const ref = model.entries.get(name)
    if (ref === undefined) return { reason: `param_names[${index}] "${name}" is not in the state dict "${model.key}"` }
    const [m, v, step] = entry instanceof PickleDict ? [entry.entries.get('exp_avg'), entry.entries.get('exp_avg_sq'), entry.entries.get('step')] : []
    if (m === undefined || v === undefined || !isTorchTensor(m) || !isTorchTensor(v) || m.shape.join() !== ref.shape.join() || v.shape.join() !== ref.shape.join()) {
      return { reason: `optimizer.state[${index}] (${name}) has no exp_avg / exp_avg_sq of shape [${ref.shape.join(', ')}]` }
    }
    if (!(typeof step === 'number' || (step !== undefined && isTorchTensor(step) && step.shape.length === 0))) return { reason: `optimizer.state[${index}].step is not a number or a 0-d tensor` }
    steps.push(step)
    copies.push({ from: `optimizer.state[${index}].exp_avg (${name})`, ref: m, to: `opt.m.${pathOf(name)}` })
    copies.push({ from: `optimizer.state[${index}].exp_avg_sq (${name})`, ref: v, to: `opt.v.${pathOf(name)}` })
  }
  return steps.length === 0 ? { reason: 'optimizer.state is empty (no step was taken)' } : { copies, steps }
}
