/**
 * What the `jepa export --package` tests share: a tiny run trained 2 steps by jepa-ts and exported
 * as a package, one PyTorch step of a package on inputs we give (tools/torch/check_package_step.py),
 * the comparison of a jepa-ts step with it (every tensor within 1e-4), and the 2-process gloo
 * torchrun of a package's train.py.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type DecodedTensor, type HostTensor, decodeSafetensors, encodeSafetensors } from '@jepa-ts/core'
import { DEBIAN_FASHION_MNIST_DIR } from '@jepa-ts/data'
import { runTrain } from '../../packages/cli/src/commands/train.ts'
import { runExport } from '../../packages/cli/src/commands/export.ts'
import { capture, tempDir } from './torch-import-helpers.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** True when Debian's PyTorch is importable. */
export const torchAvailable = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0
/** Why the PyTorch checks are skipped. */
export const NO_TORCH = 'Debian\'s python3-torch is not installed (scripts/setup.sh installs it)'
/** True when Fashion-MNIST's IDX files are installed (train.py reads them). */
export const fashionAvailable = existsSync(join(DEBIAN_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'))
/** The skip reason of a torchrun test, or false. */
export const torchrunSkip = (): string | false => (!torchAvailable ? NO_TORCH : !fashionAvailable ? `no Fashion-MNIST in ${DEBIAN_FASHION_MNIST_DIR} (apt-get install dataset-fashion-mnist)` : false)

/** A run of `family` with `model`, trained 2 steps by jepa-ts (moments and step count not trivial), exported as a package. */
export const trainedPackage = async (family: string, model: object, scheduleSteps: number): Promise<{ work: string; run: string; pkg: string }> => {
  const work = tempDir(`jepa-cli-package-${family}-`)
  const cfg = join(work, `${family}.json`)
  writeFileSync(cfg, JSON.stringify({ family, model, train: { batchSize: 8, steps: 2, scheduleSteps, checkpointEvery: 2, monitorEvery: 0 } }))
  const run = join(work, 'run')
  const trained = capture()
  assert.equal(await runTrain(cfg, { backend: 'cpu', out: run, data: 'synthetic' }, trained), 0, trained.lines.join('\n'))
  const pkg = join(work, 'pkg')
  const io = capture()
  assert.equal(await runExport(run, { to: 'pytorch', package: pkg }, io), 0, io.lines.join('\n'))
  return { work, run, pkg }
}

/** One PyTorch step of the package on `inputs`; its tensors by name and its printed line. */
export const torchStep = (work: string, pkg: string, inputs: Record<string, HostTensor>): { tensors: Record<string, DecodedTensor>; line: string } => {
  const inputFile = join(work, 'inputs.safetensors')
  writeFileSync(inputFile, encodeSafetensors(inputs))
  const outputs = join(work, 'torch-step.safetensors')
  const py = spawnSync('/usr/bin/python3', [join(root, 'tools/torch/check_package_step.py'), pkg, inputFile, outputs], { encoding: 'utf8' })
  assert.equal(py.status, 0, py.stderr)
  const decoded = decodeSafetensors(readFileSync(outputs))
  if (E.isLeft(decoded)) throw new Error(decoded.left.message)
  return { tensors: decoded.right.tensors, line: py.stdout.trim() }
}

/**
 * Compares our tensors [our path, tensor, PyTorch's name] with PyTorch's (size-1 axes ignored) and
 * returns the largest difference per kind (the path's first two segments); fails above 1e-4.
 * Elements for which `noise(path)` gives true are left out and counted under `skipped`: params
 * whose gradient is zero in exact arithmetic, where AdamW's m̂ / (√v̂ + ε) turns rounding noise into
 * a step of up to lr in either direction, so two correct implementations differ there by ~lr.
 */
export const compareWithTorch = (compared: ReadonlyArray<readonly [string, tf.Tensor, string]>, theirs: Record<string, DecodedTensor>, noise: (path: string) => ((i: number) => boolean) | undefined = () => undefined): Record<string, number> => {
  const worst: Record<string, number> = { skipped: 0 }
  for (const [path, t, name] of compared) {
    const other = theirs[name]
    assert.ok(other !== undefined, `PyTorch wrote no ${name} (for our ${path})`)
    assert.deepEqual([...other.shape].filter((d) => d !== 1), t.shape.filter((d) => d !== 1), `${path}: shape`)
    const a = t.dataSync()
    const skip = noise(path)
    let d = 0
    for (let i = 0; i < a.length; i++) {
      if (skip?.(i) === true) worst.skipped!++
      else d = Math.max(d, Math.abs(a[i]! - other.data[i]!))
    }
    const kind = path.split('.').slice(0, 2).join('.')
    worst[kind] = Math.max(worst[kind] ?? 0, d)
    assert.ok(d <= 1e-4, `${path}: |jepa-ts − PyTorch| = ${d}`)
  }
  if (worst.skipped === 0) delete worst.skipped
  return worst
}

/** Formats the worst differences for the test log. */
export const describeWorst = (worst: Record<string, number>): string => Object.entries(worst).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')

/** `torchrun --nproc_per_node 2 <pkg>/train.py <args>` on gloo (Debian's torchrun needs --redirects 1 --tee 1). */
export const torchrun2 = (pkg: string, args: readonly string[]): string => {
  // Debian's torch 1.13 on Python 3.11: torchrun's default --redirects/--tee "0" fails to parse (an IntFlag change); "1" works.
  const tr = spawnSync('/usr/bin/python3', ['-m', 'torch.distributed.run', '--standalone', '--redirects', '1', '--tee', '1', '--nproc_per_node', '2', join(pkg, 'train.py'), ...args], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } })
  assert.equal(tr.status, 0, `${tr.stdout}\n${tr.stderr}`)
  return tr.stdout
}
