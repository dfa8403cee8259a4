/**
 * What both family-step benches share (bench/family-step.ts on the CPU backends, bench/gpu-step.ts
 * on webgpu; both hand a `StepSpec` to their PyTorch twin bench/family_step_torch.py): the three
 * families, their config decoders, the family built exactly as packages/cli builds it, the step
 * keys, and the I-JEPA masks the parent draws once so both sides train on the same index sets.
 * Imports no backend, so the GPU bench bundles with it.
 */
import { type Key, decodeOrThrow, fold, keyOf, stream } from '@jepa-ts/core'
import type { Family } from '@jepa-ts/train'
import {
  type IjepaConfig, type MaeConfig, type VicregConfig,
  VicregConfigCodec, decodeIjepaConfigOrThrow, decodeMaeConfigOrThrow, ijepa, ijepaParts, mae, vicregFamily,
} from '@jepa-ts/ssl'

/** The schedule horizon of the measured steps, and the seed of every key. */
export const TOTAL_STEPS = 1000
export const SEED = 7

export type FamilyName = 'ijepa' | 'mae' | 'vicreg'
export const FAMILIES: readonly FamilyName[] = ['ijepa', 'mae', 'vicreg']

/** What both sides of one measurement run: a decoded config, the batch, the step counts, the I-JEPA masks. */
export interface StepSpec {
  readonly family: FamilyName
  readonly config: IjepaConfig | MaeConfig | VicregConfig
  readonly batch: number
  readonly warmup: number
  readonly steps: number
  /** I-JEPA only: per step (warm-up included), context [B][Kc] and targets [T][B][Kt]. */
  readonly masks?: readonly { readonly context: number[][]; readonly targets: number[][][] }[]
}

export const decodeConfig = (family: FamilyName, input: unknown): IjepaConfig | MaeConfig | VicregConfig =>
  family === 'ijepa' ? decodeIjepaConfigOrThrow(input) : family === 'mae' ? decodeMaeConfigOrThrow(input) : decodeOrThrow(VicregConfigCodec, input)

/** The family exactly as packages/cli builds it. */
export const buildFamily = (spec: StepSpec): Family =>
  spec.family === 'ijepa'
    ? ijepa(decodeIjepaConfigOrThrow(spec.config), { totalSteps: TOTAL_STEPS })
    : spec.family === 'mae'
      ? mae(decodeMaeConfigOrThrow(spec.config), { totalSteps: TOTAL_STEPS })
      : vicregFamily(decodeOrThrow(VicregConfigCodec, spec.config), { totalSteps: TOTAL_STEPS })

/** The key of step i (the worker's steps and the parent's mask draws use the same). */
export const stepKey = (i: number): Key => fold(keyOf(SEED), `step${i}`)

const rows = (data: Int32Array, b: number, k: number): number[][] => Array.from({ length: b }, (_, i) => Array.from(data.subarray(i * k, (i + 1) * k)))

/** The masks the I-JEPA collator draws for steps 0 … n−1 (host only, no tensors). */
export const ijepaMasks = (config: IjepaConfig, batch: number, n: number): NonNullable<StepSpec['masks']> => {
  const collate = ijepaParts(config, TOTAL_STEPS).collate
  return Array.from({ length: n }, (_, i) => {
    const m = collate(stream(stepKey(i), 'mask'), batch)
    return { context: rows(m.contextIdx.data, batch, m.contextIdx.shape[1]), targets: m.targetIdx.map((t) => rows(t.data, batch, t.shape[1])) }
  })
}
