/**
 * Parameter initializers of the reference I-JEPA `_init_weights`: `truncNormal(0.02)` for Linear and
 * the patch-embedding conv weights, `zeros` for biases, `ones` for LayerNorm weights.
 *
 * Each is an `Initializer` — a pure function `(key, shape) => Float32Array` — so the same key gives
 * the same numbers. Note: the reference's `fix_init_weight` (divide `attn.proj` and `mlp.fc2` by
 * √(2·layer)) is undone by its own `init_model`, which re-applies `_init_weights`; we do not apply it.
 */
import { type Initializer, sizeOf, truncatedNormal } from '@jepa-ts/core'

/** All zeros. */
export const zeros: Initializer = (_key, shape) => new Float32Array(sizeOf(shape))

/** All ones. */
export const ones: Initializer = (_key, shape) => new Float32Array(sizeOf(shape)).fill(1)

/** PyTorch `trunc_normal_(std=std)` with its default absolute bounds [−2, 2]. */
export const truncNormal =
  (std: number): Initializer =>
  (key, shape) =>
    truncatedNormal(key, sizeOf(shape), std)
