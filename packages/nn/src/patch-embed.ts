/**
 * `patchEmbed(patchSize, inChans, dim)`: cuts an NHWC image into non-overlapping p × p patches and
 * projects each to `dim` — the reference `PatchEmbed` (a Conv2d with kernel = stride = p), computed
 * as reshape → transpose → matmul. Tokens are row-major over the patch grid: token n is the patch at
 * row ⌊n / (W/p)⌋, column n mod (W/p).
 *
 * Shape law: `[B, H, W, inChans] → [B, (H/p)·(W/p), dim]`; p must divide H and W (init error naming
 * the path and the numbers).
 * Params (Conv2d layout, so reference state_dicts map 1:1): `proj.weight` [dim, inChans, p, p]
 * ~ trunc_normal(0.02), `proj.bias` [dim] = 0. A patch vector is flattened in (channel, row, column)
 * order, matching the conv weight. FLOPs: 2·B·N·inChans·p²·dim + B·N·dim.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs'
 * import { initOrThrow, keyOf } from '@jepa-ts/core'
 * import { patchEmbed } from '@jepa-ts/nn'
 * const pe = patchEmbed(4, 3, 64)
 * const { outDims, params } = initOrThrow(pe, keyOf(0), [2, 32, 32, 3]) // outDims = [2, 64, 64]
 * const tokens = pe.apply(params, tf.zeros([2, 32, 32, 3]), { key: keyOf(1), training: false })
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type Dim, type Dims, type Layer, isMulti, leaf, makeLayer, param, shapeError } from '@jepa-ts/core'
import { truncNormal, zeros } from './initializers.ts'

/** Options of `patchEmbed`. */
export interface PatchEmbedOptions<N extends string = string> {
  /** Path segment (default `patch_embed`). */
  readonly name?: N
  /** Std of the trunc-normal weight init (default 0.02, the reference's `init_std`). */
  readonly initStd?: number
}

/** The params of `patchEmbed`: the conv's `proj.weight` [dim, C, p, p] and `proj.bias` [dim]. */
export type PatchEmbedParams = { readonly proj: { readonly weight: tf.Tensor; readonly bias: tf.Tensor } }

/** Patchify + linear projection, NHWC images to row-major tokens. */
export const patchEmbed = <C extends number, D extends number, const N extends string = 'patch_embed'>(
  patchSize: number,
  inChans: C,
  dim: D,
  options: PatchEmbedOptions<N> = {},
): Layer<readonly [Dim, Dim, Dim, C], readonly [Dim, Dim, D], PatchEmbedParams, N> => {
  const p = patchSize
  if (options.initStd !== undefined && !(Number.isFinite(options.initStd) && options.initStd > 0)) throw new RangeError(`patchEmbed: initStd must be a finite number > 0, got ${options.initStd}`)
  const patchLen = inChans * p * p
  return makeLayer<readonly [Dim, Dim, Dim, C], readonly [Dim, Dim, D], PatchEmbedParams, N>({
    kind: 'patchEmbed',
    name: options.name ?? ('patch_embed' as N),
    infer: (inDims, path) => {
      const d = inDims as Dims
      if (!Number.isInteger(p) || p < 1) return E.left(shapeError(path, 'a positive integer patch size (patchEmbed)', `patchSize ${p}`))
      if (isMulti(inDims) || d.length !== 4 || d[3] !== inChans) return E.left(shapeError(path, `NHWC images [B, H, W, ${inChans}] (patchEmbed)`, inDims))
      const [B, H, W] = [d[0]!, d[1]!, d[2]!]
      if (H % p !== 0 || W % p !== 0) {
        return E.left(shapeError(path, `image height and width divisible by the patch size ${p} (patchEmbed)`, `H ${H}, W ${W} (${H} % ${p} = ${H % p}, ${W} % ${p} = ${W % p})`))
      }
      const n = (H / p) * (W / p)
      return E.right(
        leaf([B, n, dim], { proj: { weight: param([dim, inChans, p, p], truncNormal(options.initStd ?? 0.02)), bias: param([dim], zeros) } }, 2 * B * n * patchLen * dim + B * n * dim),
      )
    },
    apply: (params, x) => {
      const xt = x as tf.Tensor
      const [B, H, W] = [xt.shape[0]!, xt.shape[1]!, xt.shape[2]!]
      const [gh, gw] = [H / p, W / p]
      const proj = params.proj
      return tf.tidy(() => {
        // [B, gh, p, gw, p, C] → [B, gh, gw, C, p, p]: one row per patch, flattened (c, i, j) like the conv weight.
        const patches = tf.reshape(tf.transpose(tf.reshape(xt, [B, gh, p, gw, p, inChans]), [0, 1, 3, 5, 2, 4]), [B * gh * gw, patchLen])
        const w = tf.transpose(tf.reshape(proj.weight, [dim, patchLen]))
        return tf.reshape(tf.add(tf.matMul(patches, w), proj.bias), [B, gh * gw, dim])
      })
    },
  })
}
