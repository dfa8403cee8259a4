/**
 * Type tests for the nn constructors (checked by `tsc --noEmit`, run first by the test command):
 * each `@ts-expect-error` line must stay an error; the unmarked lines must keep compiling. The
 * runtime test checks that the positive cases also infer the shapes their types promise.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { type Dim, type Layer, inferOrThrow, serial } from '@jepa-ts/core'
import { attention, block, gelu, layerNorm, linear, mlp, patchEmbed, vit } from '@jepa-ts/nn'

// Literal widths survive construction.
export const fc: Layer<readonly [...Dim[], 192], readonly [...Dim[], 768]> = linear(192, 768)
// Widths that agree compose.
export const ok1 = serial(linear(192, 768, { name: 'fc1' }), gelu(), linear(768, 10, { name: 'fc2' }))
export const ok2 = serial(patchEmbed(4, 3, 64), block(64, 4), layerNorm(64), linear(64, 10))
export const ok3 = serial(vit({ imageSize: 32, patchSize: 4, inChans: 3, dim: 64, depth: 1, heads: 4 }).layer, mlp(64, 256), attention(64, 4))
export const okTy: Layer<readonly [Dim, Dim, Dim, 3], readonly [Dim, Dim, 64]> = ok2 as Layer<readonly [Dim, Dim, Dim, 3], readonly [Dim, Dim, 64]>

// @ts-expect-error a 768-wide output into a 256-wide input does not compile
export const bad1 = serial(linear(192, 768), linear(256, 10))
// @ts-expect-error patch tokens of width 64 do not fit a 96-wide block
export const bad2 = serial(patchEmbed(4, 3, 64), block(96, 4))
// @ts-expect-error the ViT's 64-wide features do not fit a 128-wide head
export const bad3 = serial(vit({ imageSize: 32, patchSize: 4, inChans: 3, dim: 64, depth: 1, heads: 4 }).layer, linear(128, 10))
// @ts-expect-error tokens [B, N, 3] (rank 3) do not fit a patch embedding expecting images [B, H, W, 3], though the last dims agree
export const bad4 = serial(attention(3, 1), patchEmbed(4, 3, 64))
// @ts-expect-error a 3-channel patch embedding does not take the output of a 1-channel-wide layer
export const bad5 = serial(linear(8, 1), patchEmbed(4, 3, 64))

test('the positive type cases infer the shapes their types promise', () => {
  assert.deepEqual(inferOrThrow(ok1, [2, 5, 192]).outDims, [2, 5, 10])
  assert.deepEqual(inferOrThrow(ok2, [2, 32, 32, 3]).outDims, [2, 64, 10])
  assert.deepEqual(inferOrThrow(ok3, [2, 32, 32, 3]).outDims, [2, 64, 64])
})
