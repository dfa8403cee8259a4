/**
 * Imports an official PyTorch checkpoint into a jepa-ts run directory: the torch.save file is
 * opened (restricted reader, `@jepa-ts/core` io), planned by its family's layout (names, shapes,
 * inferred architecture), then read one tensor at a time; fixed position embeddings are compared
 * with our 2-D sin-cos table; the result is written as `checkpoint.safetensors` in the format
 * `jepa train` writes (params, target, fresh AdamW moments, metadata with the run config), plus
 * `import.json` saying where it came from. The run's step is the optimizer's step count when the
 * layout's AdamW state was imported, else 0 (fresh moments).
 *
 * Contract: `importTorchCheckpoint(path, options)` returns `Right({ dir, plan })` or `Left(message)`
 * naming the file and the tensor. A position embedding that differs from the table by more than
 * 1e-5 anywhere (a learned or interpolated one) is refused, naming the tensor, the largest
 * difference and where it is. An existing `checkpoint.safetensors` in the output directory is never
 * replaced (Left: choose another directory). Files are written atomically.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type HostTensor, type TorchFile, encodeSafetensors, keyOf, keyToString } from '@jepa-ts/core'
import { atomicWriteFile, openTorchFile } from '@jepa-ts/core/node'
import { posEmbed2d } from '@jepa-ts/nn'
import { CHECKPOINT_FORMAT, CHECKPOINT_METADATA_KEY, CHECKPOINT_VERSION, type CheckpointMeta, prepareRunDir } from '@jepa-ts/train/node'
import { decodeRunConfig } from '../config.ts'
import { type FamilyRegistry, defaultFamilies } from '../commands/families.ts'
import type { ImportPlan, PlannedBuffer } from './import-plan.ts'
import { ijepaPlan } from './ijepa-layout.ts'
import { type MaeImportOptions, maePlan } from './mae-layout.ts'
import { vicregPlan } from './vicreg-layout.ts'

/** The layouts `jepa import --family` understands. */
export const IMPORT_FAMILIES = { ijepa: ijepaPlan, mae: maePlan, vicreg: vicregPlan } as const

/** A family name `jepa import` understands. */
export type ImportFamily = keyof typeof IMPORT_FAMILIES

/** True for a family `jepa import` understands. */
export const isImportFamily = (name: string): name is ImportFamily => Object.prototype.hasOwnProperty.call(IMPORT_FAMILIES, name)

/** Largest allowed |file − table| of a fixed position embedding. */
export const POS_EMBED_TOLERANCE = 1e-5

/** Checks a stored sin-cos buffer against our table; Left names the worst entry. */
const checkBuffer = (file: TorchFile, b: PlannedBuffer): E.Either<string, void> => {
  const t = file.readTensor(b.ref, b.from)
  if (E.isLeft(t)) return E.left(t.left.message)
  const table = posEmbed2d(b.grid[0], b.grid[1], b.dim)
  const data = t.right.data
  let worst = 0
  let at = 0
  for (let i = 0; i < data.length; i++) {
    const want = i < b.zeroRows * b.dim ? 0 : table[i - b.zeroRows * b.dim]!
    const d = Math.abs(data[i]! - want)
    if (!(d <= worst)) {
      worst = d
      at = i
    }
  }
  if (!(worst <= POS_EMBED_TOLERANCE)) {
    const row = Math.floor(at / b.dim)
    return E.left(`${file.source}: ${b.from} is not the fixed 2-D sin-cos position embedding of a ${b.grid.join('×')} grid and width ${b.dim}: it differs by ${worst.toExponential(3)} at token ${row - b.zeroRows}${row < b.zeroRows ? ' (the CLS slot, which must be zero)' : ''}, dim ${at % b.dim} (tolerance ${POS_EMBED_TOLERANCE}); a learned or interpolated position embedding cannot be imported`)
  }
  return E.right(undefined)
}

/** Options of `importTorchCheckpoint`. */
export interface ImportTorchOptions extends MaeImportOptions {
  readonly family: ImportFamily
  /** The run directory to create or fill. */
  readonly out: string
}

/** What an import wrote. */
export interface ImportResult {
  readonly dir: string
  readonly checkpoint: string
  readonly plan: ImportPlan
  readonly tensors: number
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** Reads the planned tensors, one at a time, into the checkpoint's host tensors. */
const readState = (file: TorchFile, plan: ImportPlan): E.Either<string, Record<string, HostTensor>> => {
  const out: Record<string, HostTensor> = {}
  for (const b of plan.buffers) {
    const checked = checkBuffer(file, b)
    if (E.isLeft(checked)) return checked
  }
  for (const c of plan.copies) {
    const t = file.readTensor(c.ref, c.from)
    if (E.isLeft(t)) return E.left(t.left.message)
    if (t.right.dtype !== 'F32') return E.left(`${file.source}: ${c.from}: expected a floating-point tensor, got an integer one`)
    out[c.to] = t.right
  }
  // Params whose moments the file does not hold (fresh runs, params never stepped) start at zero.
  for (const [path, t] of Object.entries(out)) {
    if (!path.startsWith('params.')) continue
    const rest = path.slice('params.'.length)
    for (const moment of ['m', 'v']) out[`opt.${moment}.${rest}`] ??= { dtype: 'F32', shape: t.shape, data: new Float32Array(t.data.length) }
  }
  return E.right(out)
}

/** The optimizer step count of the plan: every state's `step` must agree; 0 without moments. */
const stepOf = (file: TorchFile, plan: ImportPlan): E.Either<string, number> => {
  const values: number[] = []
  for (const s of plan.optimizerSteps ?? []) {
    if (typeof s === 'number') values.push(s)
    else {
      const t = file.readTensor(s, 'opt.state[*].step')
      if (E.isLeft(t)) return E.left(t.left.message)
      values.push(t.right.data[0]!)
    }
  }
  const distinct = [...new Set(values)]
  if (distinct.length > 1) return E.left(`${file.source}: opt.state steps differ (${distinct.slice(0, 4).join(', ')}); expected one step count for every param`)
  const step = distinct[0] ?? 0
  return Number.isSafeInteger(step) && step >= 0 ? E.right(step) : E.left(`${file.source}: opt.state step ${step}: expected a whole number ≥ 0`)
}

/** Imports a checkpoint (see the module contract). */
export const importTorchCheckpoint = async (path: string, options: ImportTorchOptions, registry: FamilyRegistry = defaultFamilies): Promise<E.Either<string, ImportResult>> => {
  const opened = openTorchFile(path)
  if (E.isLeft(opened)) return E.left(opened.left.message)
  const file = opened.right
  try {
    const plan = IMPORT_FAMILIES[options.family](file, options)
    if (E.isLeft(plan)) return plan
    const run = decodeRunConfig(plan.right.runConfig, registry, `${path} (inferred config)`, { steps: 1 })
    if (E.isLeft(run)) return E.left(run.left.format())
    const tensors = readState(file, plan.right)
    if (E.isLeft(tensors)) return tensors
    const step = stepOf(file, plan.right)
    if (E.isLeft(step)) return step
    let dir
    try {
      dir = prepareRunDir(options.out)
    } catch (e) {
      return E.left(messageOf(e))
    }
    if (existsSync(dir.checkpoint)) return E.left(`${dir.checkpoint} already exists; an import never replaces a checkpoint (choose another --out)`)
    const meta: CheckpointMeta = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      family: plan.right.family,
      config: run.right.json,
      step: step.right,
      key: keyToString(keyOf(run.right.train.seed)),
      dataset: `imported:${path}`,
      datasetSize: 0,
      batchSize: run.right.train.batchSize,
    }
    const bytes = encodeSafetensors(tensors.right, { [CHECKPOINT_METADATA_KEY]: JSON.stringify(meta) })
    const provenance = { source: path, family: plan.right.family, config: run.right.json, ...plan.right.provenance }
    await atomicWriteFile(dir.checkpoint, bytes)
    await atomicWriteFile(join(dir.dir, 'import.json'), new TextEncoder().encode(`${JSON.stringify(provenance, null, 2)}\n`))
    return E.right({ dir: dir.dir, checkpoint: dir.checkpoint, plan: plan.right, tensors: plan.right.copies.length })
  } catch (e) {
    return E.left(`${path}: ${messageOf(e)}`)
  } finally {
    file.close()
  }
}
