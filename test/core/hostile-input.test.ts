/**
 * Inputs built to exhaust memory or the stack: a safetensors header of a million empty tensors, a
 * deeply nested safetensors header, a deeply nested JSON config. Each is a clear error, at once.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { MAX_TENSORS, MAX_JSON_DEPTH, decodeSafetensors } from '@jepa-ts/core'
import { readJsonConfig } from '@jepa-ts/core/node'

/** A safetensors file with the given header text and no data. */
const withHeader = (header: string): Uint8Array => {
  const text = Buffer.from(header)
  const padded = Buffer.concat([text, Buffer.alloc((8 - (text.length % 8)) % 8, 0x20)])
  const out = Buffer.alloc(8 + padded.length)
  out.writeUInt32LE(padded.length, 0)
  padded.copy(out, 8)
  return out
}

test('a safetensors header listing more than MAX_TENSORS empty tensors (the issue had a million) is refused from its text, before parsing', () => {
  const entries = Array.from({ length: MAX_TENSORS + 50_000 }, (_, i) => `"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`)
  const bytes = withHeader(`{${entries.join(',')}}`)
  const heapBefore = process.memoryUsage().heapUsed
  const r = decodeSafetensors(bytes, 'many.safetensors')
  const grew = process.memoryUsage().heapUsed - heapBefore
  assert.ok(E.isLeft(r), 'refused')
  assert.match(r.left.message, new RegExp(`many\\.safetensors.*at most ${MAX_TENSORS} tensors`))
  assert.ok(grew < 200 * 2 ** 20, `no per-entry objects were built (heap grew ${(grew / 2 ** 20).toFixed(0)} MiB)`)
  const fine = withHeader(`{${entries.slice(0, 1000).join(',')}}`)
  assert.ok(E.isRight(decodeSafetensors(fine, 'fine.safetensors')), 'a thousand empty tensors still decode')
})

test('a deeply nested safetensors header is a clear error, not a stack overflow', () => {
  const depth = 200_000
  const bytes = withHeader(`{"__metadata__":${'['.repeat(depth)}${']'.repeat(depth)}}`)
  const r = decodeSafetensors(bytes, 'deep.safetensors')
  assert.ok(E.isLeft(r), 'refused')
  assert.match(r.left.message, /deep\.safetensors.*valid JSON.*nesting deeper than 8 levels at line 1, column/)
})

test('a deeply nested JSON config is a clear error naming the file, line and column', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'jepa-hostile-')), 'deep.json')
  const depth = 100_000
  writeFileSync(path, `{"model":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`)
  const r = readJsonConfig(path, t.unknown)
  assert.ok(E.isLeft(r), 'refused')
  assert.match(r.left.format(), new RegExp(`deep\\.json: invalid JSON at line 1, column \\d+: nesting deeper than ${MAX_JSON_DEPTH} levels`))
  const shallow = join(mkdtempSync(join(tmpdir(), 'jepa-hostile-')), 'ok.json')
  writeFileSync(shallow, `{"model":${'{"a":'.repeat(100)}1${'}'.repeat(100)}}`)
  assert.ok(E.isRight(readJsonConfig(shallow, t.unknown)), '100 levels are fine')
})
