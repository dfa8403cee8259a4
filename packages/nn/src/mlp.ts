/**
 * `mlp(dim, hidden)`: the transformer feed-forward block fc1 → GELU(erf) → fc2 (reference `MLP`).
 *
 * Shape law: `[...batch, dim] → [...batch, dim]`.
 * Params: `fc1.weight` [hidden, dim], `fc1.bias` [hidden], `fc2.weight` [dim, hidden], `fc2.bias` [dim].
 * FLOPs: those of the two linears plus one per hidden activation.
 *
 * @example
 * import { initOrThrow, keyOf } from '@jepa-ts/core'
 * import { mlp } from '@jepa-ts/nn'
 * const { params } = initOrThrow(mlp(64, 256), keyOf(0), [2, 16, 64]) // params.fc1.weight: [256, 64]
 */
import { type AnyLayer, type Dim, type Layer, serial } from '@jepa-ts/core'
import { type LinearParams, linear } from './linear.ts'
import { gelu } from './gelu.ts'
import { scoped } from './scoped.ts'

/** Options of `mlp`. */
export interface MlpOptions<N extends string = string> {
  /** Path segment (default `mlp`). */
  readonly name?: N
  /** GELU flavour (default `erf`, as PyTorch `nn.GELU()`). */
  readonly approximate?: 'erf' | 'tanh'
}

/** The params of `mlp`. */
export type MlpParams = { readonly fc1: LinearParams; readonly fc2: LinearParams }

/** fc1 → gelu → fc2, scoped under `name`. */
export const mlp = <D extends number, H extends number, const N extends string = 'mlp'>(
  dim: D,
  hidden: H,
  options: MlpOptions<N> = {},
): Layer<readonly [...Dim[], D], readonly [...Dim[], D], MlpParams, N> =>
  scoped<readonly [...Dim[], D], readonly [...Dim[], D], MlpParams, N>(
    'mlp',
    options.name ?? ('mlp' as N),
    serial(
      linear(dim, hidden, { name: 'fc1' }) as AnyLayer,
      gelu({ approximate: options.approximate ?? 'erf' }) as AnyLayer,
      linear(hidden, dim, { name: 'fc2' }) as AnyLayer,
    ),
  )
