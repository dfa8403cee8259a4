/**
 * What importing an official checkpoint does, decided from names and shapes alone (no tensor data
 * read yet): the run config of the inferred architecture, which tensor of the file becomes which
 * path of our training state, and which fixed position embeddings are checked against our sin-cos
 * table instead of being copied.
 */
import type { TorchTensorRef } from '@jepa-ts/core'
import type { JsonValue } from '@jepa-ts/train/node'

/** One tensor copied from the file to a state path (`params.encoder.blocks.0.attn.qkv.weight`). */
export interface PlannedCopy {
  /** `<section>.<name>` as found in the file, for errors. */
  readonly from: string
  readonly ref: TorchTensorRef
  readonly to: string
}

/** A fixed 2-D sin-cos position embedding stored in the file, checked and then dropped. */
export interface PlannedBuffer {
  readonly from: string
  readonly ref: TorchTensorRef
  readonly grid: readonly [number, number]
  readonly dim: number
  /** Leading rows that must be zero (MAE's CLS slot); 0 for I-JEPA. */
  readonly zeroRows: number
}

/** The whole import, before any data is read. */
export interface ImportPlan {
  readonly family: string
  /** A run config `{ family, model, train }` that `decodeRunConfig` accepts. */
  readonly runConfig: { readonly family: string; readonly model: JsonValue; readonly train: JsonValue }
  readonly copies: readonly PlannedCopy[]
  readonly buffers: readonly PlannedBuffer[]
  /**
   * The optimizer's step count when its moments are among `copies` (`opt.m.*`, `opt.v.*`): each
   * state's `step` (a 0-d tensor, or a number in files of torch < 1.12), all of which must agree.
   * Absent: fresh moments (zeros) at step 0.
   */
  readonly optimizerSteps?: ReadonlyArray<TorchTensorRef | number>
  /** Scalars of the file worth keeping (epoch, loss, lr, …) and what was left out. */
  readonly provenance: Readonly<Record<string, JsonValue>>
}

/** Heads of the standard ViT widths (tiny 3, small 6, base 12, large/huge/giant 16); heads are not in the shapes. */
export const HEADS_BY_WIDTH: ReadonlyMap<number, number> = new Map([[192, 3], [384, 6], [768, 12], [1024, 16], [1280, 16], [1408, 16]])

/** The heads of a width: the override when given, else the standard table; Left when neither. */
export const headsFor = (dim: number, override: number | undefined): { readonly heads: number } | { readonly error: string } => {
  if (override !== undefined) return { heads: override }
  const h = HEADS_BY_WIDTH.get(dim)
  return h === undefined
    ? { error: `the number of heads cannot be read from the shapes and width ${dim} is not a standard ViT width (${[...HEADS_BY_WIDTH].map(([d, n]) => `${d}→${n}`).join(', ')}); give --heads` }
    : { heads: h }
}
