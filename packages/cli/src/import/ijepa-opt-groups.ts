/**
 * The official I-JEPA trainer's AdamW param groups (facebookresearch/ijepa `src/helper.py`
 * `init_opt`), shared by the importer and the exporter: over the modules' `named_parameters` in
 * order — which includes the frozen position embeddings — group 0 = encoder params that are not
 * biases and not 1-D, group 1 = the same of the predictor, group 2 = the encoder's biases and 1-D
 * params (`WD_exclude`, no weight decay), group 3 = the predictor's. `torch.optim` numbers the
 * params of a `state_dict` 0, 1, … across the groups in that order; params that never received a
 * gradient (the frozen pos-embeds) have no state.
 */

/** One param of the optimizer's numbering. */
export interface OptSlot {
  readonly index: number
  readonly module: 'encoder' | 'predictor'
  readonly name: string
  /** A frozen buffer-like param (no state, never updated). */
  readonly frozen: boolean
}

/** One param group. */
export interface OptGroup {
  readonly module: 'encoder' | 'predictor'
  /** `WD_exclude`: biases and 1-D params, weight decay 0. */
  readonly exclude: boolean
  readonly slots: readonly OptSlot[]
}

/** The frozen params of the reference modules. */
export const IJEPA_FROZEN: ReadonlySet<string> = new Set(['pos_embed', 'predictor_pos_embed'])

/** The reference rule: weight decay on params that are not biases and not 1-D. */
export const decayedParam = (name: string, rank: number): boolean => !name.includes('bias') && rank !== 1

/** The four groups over `[name, rank]` lists in `named_parameters` order. */
export const ijepaOptGroups = (encoder: ReadonlyArray<readonly [string, number]>, predictor: ReadonlyArray<readonly [string, number]>): readonly OptGroup[] => {
  const order = [
    { module: 'encoder', entries: encoder, exclude: false },
    { module: 'predictor', entries: predictor, exclude: false },
    { module: 'encoder', entries: encoder, exclude: true },
    { module: 'predictor', entries: predictor, exclude: true },
  ] as const
  let index = 0
  return order.map((g) => ({
    module: g.module,
    exclude: g.exclude,
    slots: g.entries.filter(([n, rank]) => decayedParam(n, rank) !== g.exclude).map(([name]) => ({ index: index++, module: g.module, name, frozen: IJEPA_FROZEN.has(name) })),
  }))
}
