/**
 * Every kind of C++ exception raised inside an entry point arrives as a JS error, and the process
 * (and the thread pool) carries on: std::bad_alloc → RangeError, another std::exception → Error
 * with its message, a non-std exception → Error, and an exception thrown by a chunk on a pool
 * worker thread → Error on the calling thread (the addon's `throwForTest` hook raises each).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadAddon } from '@jepa-ts/backend-native'

test('C++ exceptions of every kind become JS errors; the pool still works afterwards', () => {
  const r = loadAddon()
  assert.ok(r.ok, r.ok ? '' : r.reason)
  const addon = r.addon
  assert.throws(() => addon.throwForTest('bad_alloc'), (e: unknown) => e instanceof RangeError && /out of memory/.test(e.message))
  assert.throws(() => addon.throwForTest('runtime_error'), (e: unknown) => e instanceof Error && /runtime_error for the test/.test(e.message))
  assert.throws(() => addon.throwForTest('int'), (e: unknown) => e instanceof Error && /unknown C\+\+ exception/.test(e.message))
  for (let i = 0; i < 3; i++) assert.throws(() => addon.throwForTest('pool'), (e: unknown) => e instanceof Error && /pool chunk threw/.test(e.message))
  // The pool runs a large elementwise job correctly after its chunks threw.
  const n = 1 << 20
  const a = new Float32Array(n).fill(2)
  const out = new Float32Array(n)
  addon.unary(6, out, a, 0) // Square
  assert.ok(out.every((x) => x === 4))
})
