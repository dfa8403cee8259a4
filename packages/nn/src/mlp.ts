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
import { linear } from './linear.ts'
import { gelu } from './gelu.ts'
import { scoped } from './scoped.ts'

/** Options of `mlp`. */
export interface MlpOptions {
  /** Path segment (default `mlp`). */
  readonly name?: string
  /** GELU flavour (default `erf`, as PyTorch `nn.GELU()`). */
  readonly approximate?: 'erf' | 'tanh'
}

/** fc1 → gelu → fc2, scoped under `name`. */
export const mlp = <D extends number, H extends number>(dim: D, hidden: H, options: MlpOptions = {}): Layer<readonly [...Dim[], D], readonly [...Dim[], D]> =>
  scoped(
    'mlp',
    options.name ?? 'mlp',
    serial(
      linear(dim, hidden, { name: 'fc1' }) as AnyLayer,
      gelu({ approximate: options.approximate ?? 'erf' }) as AnyLayer,
      linear(hidden, dim, { name: 'fc2' }) as AnyLayer,
    ),
  )
