/**
 * MAE random masking (He et al. 2021, https://arxiv.org/abs/2111.06377; DESIGN §3.4): per image,
 * noise ~ U(0, 1) per token, `idsShuffle = argsort(noise)`, `idsRestore = argsort(idsShuffle)`,
 * keep the first `⌊L·(1 − maskRatio)⌋` of `idsShuffle`.
 *
 * Laws: `idsKeep` has exactly `⌊L·(1 − maskRatio)⌋` entries per row; `idsRestore[idsShuffle[i]] = i`;
 * `mask[i] = 1` exactly for the removed tokens (1 = removed, as in MAE) and is the unshuffled form of
 * `[0…0 (keep), 1…1]`. `idsKeep` is in shuffled order (as MAE's gather expects), not sorted.
 * Randomness: image `b`'s noise from `fold(batchKey, b)`, at 52 − ⌈log2(L+1)⌉ bits (44 bits for L = 196);
 * ties (probability ~L²·2⁻⁴⁵) break by token index.
 *
 * @example
 * import { randomMasking } from '@jepa-ts/masks'
 * import { keyOf } from '@jepa-ts/core'
 * const m = randomMasking(keyOf(0), 2, 196, 0.75)
 * console.assert(m.idsKeep.shape[1] === 49 && m.mask.data.reduce((a, b) => a + b, 0) === 2 * 147)
 */
import { fold, uniform64, type Key } from '@jepa-ts/core'
import type { IndexBatch } from './index-batch.ts'

/** MAE's masking outputs, each row-major with its shape. */
export interface RandomMasking {
  /** Kept tokens, in shuffled order: [B, K]. */
  readonly idsKeep: IndexBatch
  /** The permutation that sorts the noise: [B, L]. */
  readonly idsShuffle: IndexBatch
  /** Its inverse, to put decoder tokens back in raster order: [B, L]. */
  readonly idsRestore: IndexBatch
  /** 1 where a token is removed, 0 where kept: [B, L]. */
  readonly mask: { readonly data: Float32Array; readonly shape: readonly [number, number] }
}

/** Tokens kept by MAE masking: `⌊L·(1 − maskRatio)⌋`. */
export const keepCountOf = (length: number, maskRatio: number): number => Math.floor(length * (1 - maskRatio))

/** Random masking of `batchSize` rows of `length` tokens. */
export const randomMasking = (batchKey: Key, batchSize: number, length: number, maskRatio: number): RandomMasking => {
  if (!(Number.isSafeInteger(batchSize) && batchSize >= 0)) throw new RangeError(`randomMasking: batchSize must be an integer ≥ 0, got ${batchSize}`)
  if (!(Number.isSafeInteger(length) && length > 0)) throw new RangeError(`randomMasking: length must be a positive integer, got ${length}`)
  if (!(maskRatio >= 0 && maskRatio < 1)) throw new RangeError(`randomMasking: maskRatio must be in [0, 1), got ${maskRatio}`)
  const keep = keepCountOf(length, maskRatio)
  const idsKeep = new Int32Array(batchSize * keep)
  const idsShuffle = new Int32Array(batchSize * length)
  const idsRestore = new Int32Array(batchSize * length)
  const mask = new Float32Array(batchSize * length)
  // argsort by a native numeric sort: each key packs the noise (quantized to 52 − log2 L bits) above
  // the token index, so sorting keys sorts the noise and the low bits give the permutation back.
  const slots = 2 ** Math.ceil(Math.log2(length + 1))
  const levels = 2 ** 52 / slots
  const keys = new Float64Array(length)
  for (let b = 0; b < batchSize; b++) {
    const noise = uniform64(fold(batchKey, b), length)
    for (let i = 0; i < length; i++) keys[i] = Math.floor(noise[i]! * levels) * slots + i
    keys.sort()
    const row = b * length
    for (let i = 0; i < length; i++) {
      const token = keys[i]! % slots
      idsShuffle[row + i] = token
      idsRestore[row + token] = i
      mask[row + token] = i < keep ? 0 : 1
    }
    idsKeep.set(idsShuffle.subarray(row, row + keep), b * keep)
  }
  return {
    idsKeep: { data: idsKeep, shape: [batchSize, keep] },
    idsShuffle: { data: idsShuffle, shape: [batchSize, length] },
    idsRestore: { data: idsRestore, shape: [batchSize, length] },
    mask: { data: mask, shape: [batchSize, length] },
  }
}
