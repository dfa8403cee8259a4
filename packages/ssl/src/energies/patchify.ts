/**
 * Patchify: images `[B, H, W, C]` (NHWC) → patch vectors `[B, L, p²·C]`, and its inverse.
 *
 * Patches are taken in row-major order (L = (H/p)·(W/p), patch index = row·(W/p) + col), and each
 * patch vector is ordered (pixel row within the patch, pixel column, channel), i.e. index
 * (i·p + j)·C + c — the order of MAE's reference `patchify` (`x.reshape(N, C, h, p, w, p)`,
 * `einsum('nchpwq->nhwpqc')`), so a prediction head trained here lines up with the reference.
 * Reference: facebookresearch/mae `models_mae.py`.
 */
import * as tf from '@tensorflow/tfjs'

const fmt = (t: tf.Tensor): string => `[${t.shape.join(', ')}]`

const requirePatch = (fn: string, patch: number): void => {
  if (!Number.isInteger(patch) || patch < 1) throw new Error(`${fn}: patch size must be a positive integer; got ${patch}`)
}

/**
 * Cuts `images [B, H, W, C]` into `[B, (H/p)·(W/p), p·p·C]`; H and W must be multiples of `patch`.
 *
 * @example
 * const x = patchify(tf.zeros([2, 28, 28, 1]) as tf.Tensor4D, 4)  // [2, 49, 16]
 */
export const patchify = (images: tf.Tensor4D, patch: number): tf.Tensor3D => {
  requirePatch('patchify', patch)
  if (images.rank !== 4) throw new Error(`patchify: images must have rank 4 [B, H, W, C]; got ${fmt(images)}`)
  const [b, height, width, channels] = images.shape
  if (height % patch !== 0 || width % patch !== 0) {
    throw new Error(`patchify: image height and width must be multiples of patch ${patch}; got images ${fmt(images)}`)
  }
  const rows = height / patch
  const cols = width / patch
  return tf.tidy(() =>
    tf.reshape(
      tf.transpose(tf.reshape(images, [b, rows, patch, cols, patch, channels]), [0, 1, 3, 2, 4, 5]),
      [b, rows * cols, patch * patch * channels],
    ),
  )
}

/**
 * Inverse of `patchify`: `[B, (H/p)·(W/p), p·p·C]` → `[B, H, W, C]` for the given image size.
 *
 * @example
 * const img = unpatchify(patchify(tf.zeros([1, 8, 8, 3]) as tf.Tensor4D, 4), 4, [8, 8])  // [1, 8, 8, 3]
 */
export const unpatchify = (patches: tf.Tensor3D, patch: number, imageSize: readonly [number, number]): tf.Tensor4D => {
  requirePatch('unpatchify', patch)
  const [height, width] = imageSize
  if (patches.rank !== 3) throw new Error(`unpatchify: patches must have rank 3 [B, L, p·p·C]; got ${fmt(patches)}`)
  if (height % patch !== 0 || width % patch !== 0) throw new Error(`unpatchify: image size [${height}, ${width}] is not a multiple of patch ${patch}`)
  const [b, tokens, features] = patches.shape
  const rows = height / patch
  const cols = width / patch
  if (tokens !== rows * cols || features % (patch * patch) !== 0) {
    throw new Error(`unpatchify: expected [B, ${rows * cols}, p·p·C] with p = ${patch} for a ${height}×${width} image; got ${fmt(patches)}`)
  }
  const channels = features / (patch * patch)
  return tf.tidy(() =>
    tf.reshape(
      tf.transpose(tf.reshape(patches, [b, rows, cols, patch, patch, channels]), [0, 1, 3, 2, 4, 5]),
      [b, height, width, channels],
    ),
  )
}
