/**
 * Every layer @jepa-ts/nn ships passes checkLayer: shape/param interpreters agree with execution,
 * determinism, key-free evaluation, batch independence, token equivariance where it holds, finite
 * values and gradients, no leaked tensor, stable plain param paths. Tiny widths, few runs.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import type { AnyLayer } from '@jepa-ts/core'
import { addPosEmbed, attention, block, dropPath, dropout, gelu, layerNorm, linear, mlp, patchEmbed, pixelNorm, vit } from '@jepa-ts/nn'
import { type CheckLayerOptions, checkLayer, imagesDimsArb, rowsArb, tokensArb, widthHeadsArb } from '@jepa-ts/laws'

await tf.setBackend('cpu')

const runs = { numRuns: 6 }

const cases: ReadonlyArray<readonly [string, AnyLayer, CheckLayerOptions]> = [
  ['linear', linear(4, 3) as AnyLayer, { inputs: tokensArb(4), tokenAxis: 1, ...runs }],
  ['linear without bias over rows', linear(3, 5, { bias: false }) as AnyLayer, { inputs: rowsArb(3), ...runs }],
  ['layerNorm', layerNorm(4) as AnyLayer, { inputs: tokensArb(4), tokenAxis: 1, ...runs }],
  ['layerNorm without affine', layerNorm(3, { affine: false }) as AnyLayer, { inputs: tokensArb(3), tokenAxis: 1, ...runs }],
  ['gelu', gelu() as AnyLayer, { inputs: tokensArb(3), tokenAxis: 1, ...runs }],
  ['dropout', dropout({ dropProb: 0.3 }) as AnyLayer, { inputs: tokensArb(3), tokenAxis: 1, ...runs }],
  ['dropPath', dropPath({ dropProb: 0.3 }) as AnyLayer, { inputs: tokensArb(3), tokenAxis: 1, ...runs }],
  ['mlp', mlp(4, 8) as AnyLayer, { inputs: tokensArb(4), tokenAxis: 1, ...runs }],
  ['attention', attention(4, 2) as AnyLayer, { inputs: tokensArb(4), tokenAxis: 1, ...runs }],
  ['block', block(4, 2) as AnyLayer, { inputs: tokensArb(4), tokenAxis: 1, ...runs }],
  ['pixelNorm', pixelNorm({ mean: 0.3, std: 0.5 }) as AnyLayer, { inputs: imagesDimsArb(1), ...runs }],
  ['patchEmbed', patchEmbed(2, 1, 4) as AnyLayer, { inputs: imagesDimsArb(1, 2), ...runs }],
  ['addPosEmbed', addPosEmbed(2, 2, 4) as AnyLayer, { inputs: tokensArb(4, { tokens: [4, 4] }), ...runs }],
  ['vit', vit({ imageSize: 4, patchSize: 2, inChans: 1, dim: 4, depth: 1, heads: 2 }).layer as unknown as AnyLayer, { inputs: fc.integer({ min: 1, max: 2 }).map((b) => [b, 4, 4, 1]), ...runs, numRuns: 3 }],
]

for (const [name, layer, options] of cases) {
  test(`checkLayer: ${name} obeys every law that applies`, () => {
    const report = checkLayer(layer, options)
    const expected = 7 + (options.tokenAxis === undefined ? 0 : 1)
    assert.equal(report.laws.length, expected, report.laws.map((l) => l.law).join(', '))
    assert.ok(report.laws.every((l) => l.runs === (options.numRuns ?? 12)), JSON.stringify(report.laws))
  })
}

test('checkLayer: attention and block at widths and head counts drawn from widthHeadsArb', () => {
  for (const { dim, heads } of fc.sample(widthHeadsArb(3, 3), { numRuns: 3, seed: 5 })) {
    for (const layer of [attention(dim, heads), block(dim, heads)] as AnyLayer[]) {
      const report = checkLayer(layer, { inputs: tokensArb(dim, { tokens: [1, 4] }), tokenAxis: 1, numRuns: 4 })
      assert.equal(report.laws.length, 8, `${layer.kind} ${dim}/${heads}`)
    }
  }
})
