/**
 * The fixed 2-D sin-cos position embedding of I-JEPA and MAE (reference `get_2d_sincos_pos_embed`),
 * generalized to a gridH × gridW grid, and `addPosEmbed`, the layer that adds it to patch tokens.
 *
 * Exact rule. Tokens are row-major: token n sits at row h = ⌊n / gridW⌋, column w = n mod gridW.
 * With q = dim / 4 and ω_i = 10000^(−i/q) for i = 0 … q−1:
 *   pe[n, i]      = sin(w · ω_i)      pe[n, q + i]  = cos(w · ω_i)     (first dim/2: the COLUMN w)
 *   pe[n, 2q + i] = sin(h · ω_i)      pe[n, 3q + i] = cos(h · ω_i)     (last dim/2: the ROW h)
 * Why the column comes first: the reference builds `grid = np.meshgrid(grid_w, grid_h)`, so
 * `grid[0][h][w] = w`, and encodes `grid[0]` into the first half (it names that half `emb_h`).
 * Computed in float64 and rounded to float32, as the reference's numpy → `.float()`.
 * `dim` must be divisible by 4.
 *
 * `addPosEmbed(gridH, gridW, dim)`: shape law `[B, gridH·gridW, dim] → [B, gridH·gridW, dim]`,
 * x + pe broadcast over B. No trainable params (the reference stores it as a frozen `pos_embed`
 * buffer in its state_dict; we recompute it). FLOPs: one per element.
 *
 * @example
 * import { posEmbed2d } from '@jepa-ts/nn'
 * const pe = posEmbed2d(2, 3, 8) // Float32Array of 6·8; token 5 = (h 1, w 2): pe[5·8 + 0] = sin(2)
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type Dim, type Dims, type Layer, type NoParams, isMulti, leaf, makeLayer, shapeError, sizeOf } from '@jepa-ts/core'

/** The [gridH·gridW, dim] embedding, row-major over tokens; throws a RangeError if 4 ∤ dim. */
export const posEmbed2d = (gridH: number, gridW: number, dim: number): Float32Array => {
  if (!Number.isInteger(dim) || dim < 4 || dim % 4 !== 0) throw new RangeError(`posEmbed2d: dim must be a positive multiple of 4, got ${dim}`)
  if (!Number.isInteger(gridH) || gridH < 1 || !Number.isInteger(gridW) || gridW < 1) {
    throw new RangeError(`posEmbed2d: grid must be positive integers, got ${gridH}×${gridW}`)
  }
  const q = dim / 4
  const omega = Array.from({ length: q }, (_, i) => 1 / 10000 ** (i / q))
  const out = new Float32Array(gridH * gridW * dim)
  for (let h = 0; h < gridH; h++) {
    for (let w = 0; w < gridW; w++) {
      const base = (h * gridW + w) * dim
      for (let i = 0; i < q; i++) {
        out[base + i] = Math.sin(w * omega[i]!)
        out[base + q + i] = Math.cos(w * omega[i]!)
        out[base + 2 * q + i] = Math.sin(h * omega[i]!)
        out[base + 3 * q + i] = Math.cos(h * omega[i]!)
      }
    }
  }
  return out
}

/** Options of `addPosEmbed`. */
export interface AddPosEmbedOptions {
  /** Path segment (default `pos_embed`). */
  readonly name?: string
}

/** Adds the fixed 2-D sin-cos embedding of a gridH × gridW grid to [B, gridH·gridW, dim] tokens. */
export const addPosEmbed = <D extends number>(gridH: number, gridW: number, dim: D, options: AddPosEmbedOptions = {}): Layer<readonly [Dim, Dim, D], readonly [Dim, Dim, D], NoParams> => {
  let table: Float32Array | undefined
  const n = gridH * gridW
  return makeLayer<readonly [Dim, Dim, D], readonly [Dim, Dim, D], NoParams>({
    kind: 'addPosEmbed',
    name: options.name ?? 'pos_embed',
    infer: (inDims, path) => {
      const d = inDims as Dims
      if (!Number.isInteger(dim) || dim < 4 || dim % 4 !== 0) return E.left(shapeError(path, 'a width divisible by 4 (2-D sin-cos position embedding)', `dim ${dim}`))
      if (isMulti(inDims) || d.length !== 3 || d[1] !== n || d[2] !== dim) {
        return E.left(shapeError(path, `[B, ${n}, ${dim}] (${gridH}×${gridW} patch grid)`, inDims))
      }
      return E.right(leaf(d, {}, sizeOf(d)))
    },
    apply: (_p, x) => {
      table ??= posEmbed2d(gridH, gridW, dim)
      const pe = table
      return tf.tidy(() => tf.add(x as tf.Tensor, tf.tensor3d(pe, [1, n, dim])))
    },
  })
}
