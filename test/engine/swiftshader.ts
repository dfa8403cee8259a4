/**
 * Test setup for the webgpu backend on SwiftShader (a software Vulkan GPU from Debian's chromium
 * package): points the Vulkan loader at chromium's ICD and gives Dawn a runtime folder, BEFORE
 * Dawn loads — so import this module before anything calls `useBackend('webgpu')`. A machine
 * without the ICD or the Vulkan loader fails here with what to install (scripts/setup.sh installs
 * both): the webgpu tests are never skipped.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { SWIFTSHADER_ICD, useBackend } from '@jepa-ts/engine'

process.env['VK_ICD_FILENAMES'] = SWIFTSHADER_ICD
process.env['XDG_RUNTIME_DIR'] ??= mkdtempSync(join(tmpdir(), 'jepa-xdg-'))

let ready: Promise<void> | undefined

/** Activates webgpu on SwiftShader (started once per process), failing with what is missing. */
export const useSwiftshader = async (): Promise<void> => {
  await start()
  await tf.setBackend('webgpu')
}

const start = (): Promise<void> =>
  (ready ??= (async () => {
    assert.ok(existsSync(SWIFTSHADER_ICD), `the webgpu tests need chromium's SwiftShader ICD at ${SWIFTSHADER_ICD}: install Debian's chromium (scripts/setup.sh does)`)
    tf.env().set('IS_TEST', true)
    const info = await useBackend('webgpu')
    assert.equal(info.adapter?.architecture, 'swiftshader', `the webgpu tests run on SwiftShader, got ${JSON.stringify(info.adapter)}`)
  })().catch((e: unknown) => {
    throw new Error(`webgpu on SwiftShader did not start (Debian packages chromium and libvulkan1 are needed; scripts/setup.sh installs them): ${e instanceof Error ? e.message : String(e)}`)
  }))

/** Max |a − b| / (1 + |b|) over two arrays of equal length. */
export const relErr = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length, 'same length')
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)))
  return m
}

interface ErrorScopes {
  pushErrorScope(filter: 'validation'): void
  popErrorScope(): Promise<{ readonly message: string } | null>
}

/**
 * Runs `f` inside a WebGPU validation error scope and fails naming the error: Dawn reports an invalid
 * shader or bind group asynchronously and the kernel's output is then stale memory, which a value
 * comparison can miss.
 */
export const withoutValidationErrors = async <T>(label: string, f: () => Promise<T>): Promise<T> => {
  const device = (tf.backend() as unknown as { device: ErrorScopes }).device
  device.pushErrorScope('validation')
  const out = await f()
  const error = await device.popErrorScope()
  assert.equal(error, null, `${label}: WebGPU validation error: ${error?.message}`)
  return out
}
