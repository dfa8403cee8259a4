/** The MAE family learns on the wasm backend too (its own process: one backend per file). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { useBackend } from '@jepa-ts/engine'
import { decodeMaeConfigOrThrow, mae } from '@jepa-ts/ssl'
import { learns } from './ijepa-tiny.ts'
import { tinyMaeInput } from './mae-tiny.ts'

await useBackend('wasm')

test('learns on a fixed batch (wasm): loss after 10 steps < 0.97 × the first (per-patch normalized pixels are hard for a 16-wide model: measured 0.858 → 0.807 on cpu and wasm)', () => {
  const { first, last, losses } = learns(mae(decodeMaeConfigOrThrow(tinyMaeInput), { totalSteps: 100 }), 10)
  assert.ok(last < 0.97 * first, `loss ${first} → ${last} (${losses.map((l) => l.toFixed(4)).join(', ')})`)
})
