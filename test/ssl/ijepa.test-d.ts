/**
 * Type tests for the family configs (checked by `tsc --noEmit`). Each `@ts-expect-error` line must
 * stay an error; the unmarked lines must keep compiling.
 */
import type { Family } from '@jepa-ts/train'
import { type IjepaConfig, type IjepaConfigInput, type MaeConfig, ijepa, ijepaFashion, ijepaFashionInput, mae, maeFashionInput } from '@jepa-ts/ssl'

// A decoded config builds a family; the JSON form is a plain typed value.
export const built: Family = ijepa(ijepaFashion, { totalSteps: 1000 })
export const json: IjepaConfigInput = ijepaFashionInput

declare const raw: IjepaConfigInput
// @ts-expect-error a JSON value is not a decoded config: brands (PositiveInt, …) are made only by decoding
export const undecoded: IjepaConfig = raw

// @ts-expect-error an MAE preset in JSON form is not a decoded MAE config either
export const undecodedMae: Family = mae(maeFashionInput, { totalSteps: 1 })

declare const maeConfig: MaeConfig
// @ts-expect-error the I-JEPA family does not take an MAE config (no predictor, no masks)
export const crossed: Family = ijepa(maeConfig, { totalSteps: 1 })

// @ts-expect-error totalSteps is required: the schedules are planned for the run
export const unplanned: Family = ijepa(ijepaFashion, {})
