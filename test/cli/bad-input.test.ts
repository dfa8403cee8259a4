/**
 * Bad input at the `jepa` edge: flag values, config sections, output paths. Each ends in a message
 * and exit 2 (an unexpected error in exit 70 with a message), never a stack trace.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jepaProgram } from '../../packages/cli/src/program.ts'
import { runProgram, EXIT_INTERNAL } from '../../packages/cli/src/run-program.ts'
import { readRunConfig } from '../../packages/cli/src/config.ts'
import { runTrain, type CommandIo } from '../../packages/cli/src/commands/train.ts'
import { runEval } from '../../packages/cli/src/commands/eval.ts'
import { decodeSafetensors, encodeSafetensors, type HostTensor } from '@jepa-ts/core'

const dir = (): string => mkdtempSync(join(tmpdir(), 'jepa-cli-bad-'))
const good = { family: 'linear-ae', model: { image: [32, 32, 1], width: 8 }, train: { batchSize: 16, steps: 4, checkpointEvery: 2, monitorEvery: 0 } }
const writeConfig = (value: unknown): string => {
  const path = join(dir(), 'cfg.json')
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value))
  return path
}
const STACK = /\n\s+at .+:\d+:\d+/

/** Runs the full `jepa` program in-process with its output captured. */
const jepa = async (...args: string[]): Promise<{ code: number; text: string }> => {
  let text = ''
  const program = jepaProgram()
  for (const c of [program, ...program.commands]) c.configureOutput({ writeOut: (s) => { text += s }, writeErr: (s) => { text += s } })
  const code = await runProgram(program, ['node', 'jepa', ...args], (l) => { text += `${l}\n` })
  process.exitCode = undefined
  return { code, text }
}

test('flag values that used to throw a stack trace exit 2 with a message naming the flag', async () => {
  const config = writeConfig(good)
  const cases: Array<[string[], RegExp]> = [
    [['train', config, '--steps', '0'], /--steps expects a positive integer, got "0"/],
    [['train', config, '--seconds', '-1'], /--seconds expects a positive number, got "-1"/],
    [['eval', 'runs/x', '--limit', '0'], /--limit expects a positive integer, got "0"/],
    [['summary', '--image', '0'], /--image expects a positive integer, got "0"/],
    [['masks', '--image', 'none', '--out', join(dir(), 'no', 'such', 'm.png')], /--out: cannot write .*no\/such\/m\.png: ENOENT/],
  ]
  for (const [args, expected] of cases) {
    const r = await jepa(...args)
    assert.equal(r.code, 2, `${args.join(' ')} exits 2: ${r.text}`)
    assert.match(r.text, expected)
    assert.doesNotMatch(r.text, STACK, `${args.join(' ')}: no stack trace`)
  }
})

test('an error no command handled is a message and exit 70, not a stack trace', async () => {
  const program = jepaProgram()
  program.command('boom').action(() => { throw new TypeError('cannot read properties of undefined') })
  const lines: string[] = []
  const code = await runProgram(program, ['node', 'jepa', 'boom'], (l) => lines.push(l))
  assert.equal(code, EXIT_INTERNAL)
  assert.match(lines.join('\n'), /^jepa: cannot read properties of undefined\njepa: this is an internal error/)
  assert.doesNotMatch(lines.join('\n'), STACK)
})

test('a config without model says so; errors in train and model are reported together', async () => {
  const { model: _model, ...noModel } = good
  const missing = await readRunConfig(writeConfig(noModel))
  assert.ok(missing._tag === 'Left')
  assert.match(missing.left.format(), /cfg\.json: model is missing: give the linear-ae model section/)
  const both = await readRunConfig(writeConfig({ ...good, model: { ...good.model, width: 0 }, train: { ...good.train, batchSize: 0 } }))
  assert.ok(both._tag === 'Left')
  assert.match(both.left.format(), /model\.width/)
  assert.match(both.left.format(), /train\.batchSize/)
})

test('jepa train: an empty --out and a deeply nested config exit 2 with a message', async () => {
  const lines: string[] = []
  const io: CommandIo = { out: (l) => lines.push(l), err: (l) => lines.push(l) }
  assert.equal(await runTrain(writeConfig(good), { backend: 'cpu', out: '', data: 'synthetic' }, io), 2)
  assert.match(lines.join('\n'), /jepa train: output directory "" is not writable: an empty path names no directory/)
  lines.length = 0
  const deep = `{"family":"linear-ae","model":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)},"train":{"batchSize":1,"steps":1}}`
  assert.equal(await runTrain(writeConfig(deep), { backend: 'cpu' }, io), 2)
  assert.match(lines.join('\n'), /cfg\.json: invalid JSON at line 1, column \d+: nesting deeper than 256 levels/)
})

test('jepa eval on a checkpoint whose params are NaN exits 2 naming the checkpoint, not with an uncaught error', async () => {
  const out = join(dir(), 'run')
  const quiet: CommandIo = { out: () => undefined, err: () => undefined }
  assert.equal(await runTrain(writeConfig({ ...good, train: { ...good.train, steps: 2 } }), { backend: 'cpu', out, data: 'synthetic' }, quiet), 0)
  const file = join(out, 'checkpoint.safetensors')
  const decoded = decodeSafetensors(readFileSync(file), file)
  assert.ok(decoded._tag === 'Right')
  const tensors: Record<string, HostTensor> = {}
  for (const [name, t] of Object.entries(decoded.right.tensors)) {
    tensors[name] = t.dtype === 'F32' && name.startsWith('params.') ? { dtype: 'F32', shape: t.shape, data: t.data.map(() => Number.NaN) } : t.dtype === 'F32' ? { dtype: 'F32', shape: t.shape, data: t.data } : { dtype: 'I32', shape: t.shape, data: t.data }
  }
  writeFileSync(file, encodeSafetensors(tensors, decoded.right.metadata))
  const lines: string[] = []
  const code = await runEval(out, { backend: 'cpu', data: 'synthetic', limit: 64, probeEpochs: 1 }, { out: (l) => lines.push(l), err: (l) => lines.push(l) })
  assert.equal(code, 2, lines.join('\n'))
  assert.match(lines.join('\n'), /jepa eval: .*checkpoint\.safetensors: .*(NaN|finite)/i)
})
