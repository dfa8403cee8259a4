/**
 * The official I-JEPA checkpoint layout (facebookresearch/ijepa `src/train.py` `save_checkpoint`):
 * `{ encoder, predictor, target_encoder, opt, scaler, epoch, loss, batch_size, world_size, lr }`,
 * the three models as DistributedDataParallel state dicts (`module.` on every key) with the fixed
 * `pos_embed` [1, N, D] and `predictor_pos_embed` [1, N, Dp] as entries.
 *
 * Contract: `ijepaPlan(file, options)` infers the architecture from the shapes — patch p and
 * channels C from `patch_embed.proj.weight` [D, C, p, p], the grid from `pos_embed` (square: g² = N),
 * depth from `blocks.<i>`, the predictor's width and depth from `predictor_embed.weight` [Dp, D] and
 * `predictor_blocks.<i>`; heads from `--heads` or the standard width table — and checks every
 * name and shape against our encoder and predictor (`vit`, `predictor`; names are the reference's,
 * so the mapping is the identity after `module.`). Mapping: encoder → `params.encoder.*`, predictor
 * → `params.predictor.*`, target_encoder → `target.encoder.*`. The AdamW state (`opt`) is mapped
 * through the reference's four param groups (`ijepa-opt-groups.ts`): `exp_avg` → `opt.m.*`,
 * `exp_avg_sq` → `opt.v.*`, its step count becomes the run's step; when the groups or states do not
 * have the reference's structure, the run starts with fresh moments at step 0 and the provenance
 * says why. Masks: the paper's multi-block settings when they
 * fit the grid, else the corrected multi-block rule with minKeep 4 (the Fashion preset's).
 * With `options.config` (a run config's model section, e.g. an exported package's config.json),
 * the model config is that one — pixelNorm, masks, optimizer, energy and EMA are not in the shapes
 * — after checking that its image, patchSize, encoder and predictor are the ones the shapes give
 * (Left naming the field and both values); its heads serve when `heads` is not given, and its
 * scheduleSteps is recorded in the run config.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type TorchFile, type TorchTensorRef, PickleDict, inferOrThrow, isTorchTensor } from '@jepa-ts/core'
import { multiBlockDefaults } from '@jepa-ts/masks'
import { decodeIjepaConfig, ijepaParts } from '@jepa-ts/ssl'
import type { JsonValue } from '@jepa-ts/train/node'
import { type ImportPlan, type PlannedBuffer, type PlannedCopy, headsFor } from './import-plan.ts'
import { ijepaOptGroups } from './ijepa-opt-groups.ts'
import { type Section, blockCount, compareToSpecs, section, shapeOf, specShapes } from './official-sections.ts'

/** Options of an import. */
export interface ImportOptions {
  /** Attention heads (required for non-standard widths). */
  readonly heads?: number
  /** The batch size recorded in the run config (default: the file's `batch_size`, else 64). */
  readonly batchSize?: number
  /** A model config to take instead of the inferred one (checked against the shapes). */
  readonly config?: GivenModelConfig
}

/** A model config from a file (`jepa import --config`). */
export interface GivenModelConfig {
  /** Where it came from (for messages). */
  readonly source: string
  readonly model: { readonly [k: string]: JsonValue }
  readonly scheduleSteps?: number
}

/** JSON with object keys sorted, so that two configs compare by value. */
export const canonical = (v: JsonValue | undefined): string =>
  v === null || typeof v !== 'object' ? JSON.stringify(v) ?? 'undefined'
    : Array.isArray(v) ? `[${v.map(canonical).join(',')}]`
      : `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as { readonly [k: string]: JsonValue })[k])}`).join(',')}}`

/** The architecture fields the shapes determine. */
const SHAPE_FIELDS = ['image', 'patchSize', 'encoder', 'predictor'] as const

/** Why a given model config's `fields` are not the ones the shapes give (naming the field and both values), or undefined. */
export const givenDiffers = (src: string, given: GivenModelConfig | undefined, inferred: { readonly [k: string]: JsonValue }, fields: readonly string[]): string | undefined => {
  const f = given === undefined ? undefined : fields.find((k) => canonical(given.model[k]) !== canonical(inferred[k]))
  return given === undefined || f === undefined ? undefined : `${given.source}: model.${f} is ${canonical(given.model[f])}, but the shapes in ${src} give ${canonical(inferred[f])}`
}

/** The scalars `keys` of the file's root dict. */
export const scalarsOf = (file: Pick<TorchFile, 'root'>, keys: readonly string[]): Record<string, JsonValue> => {
  const out: Record<string, JsonValue> = {}
  if (!(file.root instanceof PickleDict)) return out
  for (const k of keys) {
    const v = file.root.entries.get(k)
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || v === null) out[k] = v
  }
  return out
}

const chain = <A, B>(a: E.Either<string, A>, f: (a: A) => E.Either<string, B>): E.Either<string, B> => (E.isLeft(a) ? a : f(a.right))

/** Grid side of N tokens, when N is a perfect square. */
const squareSide = (n: number): number | undefined => {
  const g = Math.round(Math.sqrt(n))
  return g * g === n ? g : undefined
}

/** The sin-cos buffer entry of a section, checked to be [1, N, dim]. */
const bufferOf = (source: string, s: Section, name: string, grid: number, dim: number): E.Either<string, PlannedBuffer> => {
  const ref = s.entries.get(name)
  if (ref === undefined) return E.left(`${source}: state dict "${s.key}" has no "${name}" (the fixed position embedding of the official layout)`)
  if (ref.shape.join() !== [1, grid * grid, dim].join()) return E.left(`${source}: ${s.key}.${name}: expected shape [1, ${grid * grid}, ${dim}], got [${ref.shape.join(', ')}]`)
  return E.right({ from: `${s.key}.${name}`, ref, grid: [grid, grid], dim, zeroRows: 0 })
}

const copiesOf = (s: Section, to: string, skip: ReadonlySet<string>): PlannedCopy[] =>
  [...s.entries].filter(([n]) => !skip.has(n)).map(([n, ref]) => ({ from: `${s.key}.${n}`, ref, to: `${to}.${n}` }))

/** The moments of `opt` mapped onto our names, or the reason they cannot be. */
type OptimizerPlan = { readonly copies: PlannedCopy[]; readonly steps: Array<TorchTensorRef | number> } | { readonly reason: string }

const describeSizes = (xs: readonly number[]): string => `[${xs.join(', ')}]`

/** Maps the file's AdamW state onto `opt.m.*` / `opt.v.*` through the reference's param groups. */
const optimizerPlan = (file: Pick<TorchFile, 'root'>, encoder: Section, pred: Section): OptimizerPlan => {
  const opt = file.root instanceof PickleDict ? file.root.entries.get('opt') : undefined
  const state = opt instanceof PickleDict ? opt.entries.get('state') : undefined
  const groups = opt instanceof PickleDict ? opt.entries.get('param_groups') : undefined
  if (!(state instanceof PickleDict) || !Array.isArray(groups)) return { reason: 'the file has no AdamW state_dict under "opt"' }
  const expected = ijepaOptGroups([...encoder.entries].map(([n, r]) => [n, r.shape.length] as const), [...pred.entries].map(([n, r]) => [n, r.shape.length] as const))
  const found = groups.map((g) => (g instanceof PickleDict && Array.isArray(g.entries.get('params')) ? (g.entries.get('params') as unknown[]) : []))
  const same = found.length === expected.length && expected.every((g, i) => found[i]!.length === g.slots.length && g.slots.every((s, j) => found[i]![j] === s.index))
  if (!same) return { reason: `opt.param_groups of sizes ${describeSizes(found.map((f) => f.length))} are not the reference's four groups ${describeSizes(expected.map((g) => g.slots.length))}` }
  const copies: PlannedCopy[] = []
  const steps: Array<TorchTensorRef | number> = []
  for (const slot of expected.flatMap((g) => g.slots)) {
    const entry = state.entries.get(slot.index)
    if (entry === undefined) continue
    const ref = (slot.module === 'encoder' ? encoder : pred).entries.get(slot.name)!
    if (slot.frozen || !(entry instanceof PickleDict)) return { reason: `opt.state[${slot.index}] (${slot.module}.${slot.name}) is not the AdamW state of a trained param` }
    const [m, v, step] = [entry.entries.get('exp_avg'), entry.entries.get('exp_avg_sq'), entry.entries.get('step')]
    if (m === undefined || v === undefined || !isTorchTensor(m) || !isTorchTensor(v) || m.shape.join() !== ref.shape.join() || v.shape.join() !== ref.shape.join()) {
      return { reason: `opt.state[${slot.index}] (${slot.module}.${slot.name}) has no exp_avg / exp_avg_sq of shape [${ref.shape.join(', ')}]` }
    }
    if (!(typeof step === 'number' || (step !== undefined && isTorchTensor(step) && step.shape.length === 0))) return { reason: `opt.state[${slot.index}].step is not a number or a 0-d tensor` }
    steps.push(step)
    copies.push({ from: `opt.state[${slot.index}].exp_avg (${slot.module}.${slot.name})`, ref: m, to: `opt.m.${slot.module}.${slot.name}` })
    copies.push({ from: `opt.state[${slot.index}].exp_avg_sq (${slot.module}.${slot.name})`, ref: v, to: `opt.v.${slot.module}.${slot.name}` })
  }
  return steps.length === 0 ? { reason: 'opt.state is empty (no step was taken)' } : { copies, steps }
}

/** Plans the import of an official I-JEPA checkpoint (see the module contract). */
export const ijepaPlan = (file: Pick<TorchFile, 'source' | 'root'>, options: ImportOptions = {}): E.Either<string, ImportPlan> => {
  const src = file.source
  const sections = ['encoder', 'predictor', 'target_encoder'].map((k) => section(file, k))
  const bad = sections.find(E.isLeft)
  if (bad !== undefined && E.isLeft(bad)) return E.left(`${bad.left} (the official I-JEPA layout holds encoder, predictor and target_encoder state dicts)`)
  const [encoder, pred, target] = sections.map((s) => (s as E.Right<Section>).right) as [Section, Section, Section]
  return chain(shapeOf(src, encoder, 'patch_embed.proj.weight'), (pw) => chain(shapeOf(src, encoder, 'pos_embed'), (pos) => chain(shapeOf(src, pred, 'predictor_embed.weight'), (pe) => {
    if (pw.length !== 4 || pw[2] !== pw[3]) return E.left(`${src}: encoder.patch_embed.proj.weight: expected [D, C, p, p], got [${pw.join(', ')}]`)
    const [dim, channels, patch] = pw as [number, number, number, number]
    const grid = pos.length === 3 ? squareSide(pos[1]!) : undefined
    if (grid === undefined) return E.left(`${src}: encoder.pos_embed: expected [1, g², ${dim}] (a square patch grid), got [${pos.join(', ')}]`)
    const depth = blockCount(encoder, 'blocks')
    const fc1 = encoder.entries.get('blocks.0.mlp.fc1.weight')?.shape
    if (fc1 !== undefined && fc1[0] !== 4 * dim) return E.left(`${src}: encoder.blocks.0.mlp.fc1.weight: expected [${4 * dim}, ${dim}] (MLP ratio 4, the only ratio our blocks take), got [${fc1.join(', ')}]`)
    const givenHeads = (options.config?.model.encoder as { readonly heads?: JsonValue } | undefined)?.heads
    const heads = headsFor(dim, options.heads ?? (typeof givenHeads === 'number' ? givenHeads : undefined))
    if ('error' in heads) return E.left(`${src}: ${heads.error}`)
    const predictorDim = pe[0]!
    const model: JsonValue = {
      image: [grid * patch, grid * patch, channels],
      patchSize: patch,
      encoder: { dim, depth, heads: heads.heads },
      predictor: { dim: predictorDim, depth: blockCount(pred, 'predictor_blocks') },
    }
    const masksOptions: readonly JsonValue[] = [{ ...multiBlockDefaults }, { ...multiBlockDefaults, strategy: 'multi-block-corrected', minKeep: 4 }]
    const given = options.config
    const differs = givenDiffers(src, given, model as { readonly [k: string]: JsonValue }, SHAPE_FIELDS)
    if (differs !== undefined) return E.left(differs)
    const withMasks = given !== undefined ? given.model : masksOptions.map((masks) => ({ ...(model as Record<string, JsonValue>), masks })).find((m) => E.isRight(decodeIjepaConfig(m)))
    const config = decodeIjepaConfig(withMasks ?? model)
    if (E.isLeft(config)) return E.left(`${given?.source ?? src}: the ${given === undefined ? 'inferred' : 'given'} I-JEPA config does not decode:\n${config.left.format()}`)
    let parts
    try {
      parts = ijepaParts(config.right, Math.max(1, config.right.optimizer.warmupSteps))
    } catch (e) {
      return E.left(`${src}: cannot build the inferred I-JEPA model: ${e instanceof Error ? e.message : String(e)}`)
    }
    const [H, W, C] = config.right.image
    const encoderSpecs = specShapes(inferOrThrow(parts.encoder.layer, [1, H, W, C]).params)
    const predictorSpecs = specShapes(inferOrThrow(parts.predictor.layer, [[1, 1, dim], [1, 1], [1, 1, 1]]).params)
    const encoderSkip = new Set(['pos_embed'])
    const predictorSkip = new Set(['predictor_pos_embed'])
    for (const [s, specs, skip] of [[encoder, encoderSpecs, encoderSkip], [target, encoderSpecs, encoderSkip], [pred, predictorSpecs, predictorSkip]] as const) {
      const checked = compareToSpecs(src, s, specs, skip)
      if (E.isLeft(checked)) return checked
    }
    const buffers = [bufferOf(src, encoder, 'pos_embed', grid, dim), bufferOf(src, target, 'pos_embed', grid, dim), bufferOf(src, pred, 'predictor_pos_embed', grid, predictorDim)]
    const badBuffer = buffers.find(E.isLeft)
    if (badBuffer !== undefined && E.isLeft(badBuffer)) return badBuffer
    const scalars = scalarsOf(file, ['epoch', 'loss', 'batch_size', 'world_size', 'lr'])
    const optimizer = optimizerPlan(file, encoder, pred)
    const batchSize = options.batchSize ?? (typeof scalars.batch_size === 'number' && scalars.batch_size > 0 ? scalars.batch_size : 64)
    return E.right({
      family: 'ijepa',
      runConfig: { family: 'ijepa', model: withMasks ?? model, train: { batchSize, scheduleSteps: given?.scheduleSteps ?? 1, seed: 0 } },
      copies: [
        ...copiesOf(encoder, 'params.encoder', encoderSkip), ...copiesOf(pred, 'params.predictor', predictorSkip), ...copiesOf(target, 'target.encoder', encoderSkip),
        ...('copies' in optimizer ? optimizer.copies : []),
      ],
      buffers: buffers.map((b) => (b as E.Right<PlannedBuffer>).right),
      ...('steps' in optimizer ? { optimizerSteps: optimizer.steps } : {}),
      provenance: {
        layout: 'facebookresearch/ijepa save_checkpoint',
        ddpPrefix: encoder.stripped,
        ...scalars,
        notImported: 'reason' in optimizer ? `opt (${optimizer.reason}: the run starts with fresh AdamW moments at step 0), scaler` : 'scaler',
      },
    })
  })))
}
