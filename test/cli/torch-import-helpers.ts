/**
 * What the `jepa import` tests share: the committed torch fixtures (test/fixtures/torch, written by
 * tools/torch/make_official_fixtures.py), their expected outputs as tfjs tensors, and the largest
 * absolute difference of two tensors of the same shape.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type DecodedTensor, decodeSafetensors } from '@jepa-ts/core'
import type { CommandIo } from '../../packages/cli/src/commands/train.ts'

/** The path of a file under test/fixtures/torch. */
export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/torch/${name}`, import.meta.url))

/** A fresh temp folder named after the test. */
export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix))

/** A CommandIo that keeps every line. */
export const capture = (): CommandIo & { lines: string[] } => {
  const lines: string[] = []
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l) }
}

/** The tensors of an `*.expected.safetensors` fixture, by name. */
export const expectedTensors = (name: string): Map<string, DecodedTensor> => {
  const decoded = decodeSafetensors(readFileSync(fixture(name)))
  if (E.isLeft(decoded)) throw new Error(decoded.left.message)
  return new Map(Object.entries(decoded.right.tensors))
}

/** One expected tensor as a tfjs tensor (the caller disposes it). */
export const tensorOf = (expected: ReadonlyMap<string, DecodedTensor>, name: string): tf.Tensor => {
  const t = expected.get(name)
  if (t === undefined) throw new Error(`no expected tensor "${name}"`)
  return tf.tensor(t.data, [...t.shape], t.dtype === 'F32' ? 'float32' : 'int32')
}

/** max |a − b| over two tensors of the same shape. */
export const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number => {
  assert.deepEqual(a.shape, b.shape)
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!)
}
