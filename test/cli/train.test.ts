import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { decodeRunConfig, readRunConfig } from '../../packages/cli/src/config.ts'
import { runTrain, type CommandIo } from '../../packages/cli/src/commands/train.ts'
import { commands } from '../../packages/cli/src/commands/index.ts'
import { helpOf } from '../../packages/cli/src/commands/train-help.ts'

const dir = (): string => mkdtempSync(join(tmpdir(), 'jepa-cli-train-'))
const good = { family: 'linear-ae', model: { image: [32, 32, 1], width: 8 }, train: { batchSize: 16, steps: 4, checkpointEvery: 2, monitorEvery: 2, monitorImages: 64 } }
const writeConfig = (value: unknown): string => {
  const path = join(dir(), 'cfg.json')
  writeFileSync(path, JSON.stringify(value))
  return path
}
const capture = (): CommandIo & { lines: string[] } => {
  const lines: string[] = []
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l) }
}

test('config errors name the file and the field: wrong type, unknown key, impossible value, unknown family, missing budget', async () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ ...good, train: { ...good.train, batchSize: '16' } }, /cfg\.json: Expecting PositiveInt at train\.batchSize but instead got: "16"/],
    [{ ...good, train: { ...good.train, stpes: 4 } }, /cfg\.json: unknown key "stpes" at train \(did you mean "steps"\?\)/],
    [{ ...good, model: { ...good.model, width: 0 } }, /cfg\.json: Expecting PositiveInt at model\.width but instead got: 0/],
    [{ ...good, family: 'bjepa' }, /cfg\.json: Expecting one of .*"linear-ae".* at family but instead got: "bjepa"/],
    [{ ...good, train: { batchSize: 16 } }, /cfg\.json: train\.steps or train\.wallClockSeconds must be given/],
    [{ ...good, extra: 1 }, /cfg\.json: unknown key "extra"/],
  ]
  for (const [value, expected] of cases) {
    const r = await readRunConfig(writeConfig(value))
    assert.ok(E.isLeft(r), `refused: ${JSON.stringify(value)}`)
    assert.match(r.left.format(), expected)
  }
  const ok = decodeRunConfig(good)
  assert.ok(E.isRight(ok), 'the good config decodes')
  assert.deepEqual(ok.right.json, { family: 'linear-ae', model: good.model, train: { batchSize: 16, checkpointEvery: 2, monitorEvery: 2, monitorImages: 64, seed: 0, scheduleSteps: 4 } }, 'stored config: defaults filled, budget left out')
})

test('jepa train: config errors exit 2 with the message; an unwritable output directory exits 2 before training', async () => {
  const io = capture()
  assert.equal(await runTrain(writeConfig({ ...good, train: { ...good.train, batchSize: -1 } }), { backend: 'cpu' }, io), 2, 'exit 2 on a bad config')
  assert.match(io.lines.join('\n'), /Expecting PositiveInt at train\.batchSize/)
  const file = join(dir(), 'a-file')
  writeFileSync(file, 'x')
  const io2 = capture()
  assert.equal(await runTrain(writeConfig(good), { backend: 'cpu', out: join(file, 'run') }, io2), 2, 'exit 2 on an unwritable directory')
  assert.match(io2.lines.join('\n'), /jepa train: output directory .*a-file\/run is not writable/)
})

test('jepa train trains the smoke family end to end, then --resume continues and refuses other schedules', async () => {
  const out = join(dir(), 'run')
  const config = writeConfig(good)
  const io = capture()
  assert.equal(await runTrain(config, { backend: 'cpu', out }, io), 0, `exit 0: ${io.lines.join('\n')}`)
  assert.ok(existsSync(join(out, 'checkpoint.safetensors')), 'checkpoint written')
  const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>)
  assert.deepEqual(lines.map((l) => l.step), [1, 2, 3, 4], 'a line per step')
  assert.equal(lines.filter((l) => typeof l.rankMe === 'number' && typeof l.collapseStd === 'number').length, 2, 'RankMe and collapse std every 2 steps')
  const again = capture()
  assert.equal(await runTrain(config, { backend: 'cpu', out }, again), 2, 'a second run without --resume is refused')
  assert.match(again.lines.join('\n'), /already exists: pass resume/)
  const resumed = capture()
  assert.equal(await runTrain(config, { backend: 'cpu', out, resume: true, steps: 6 }, resumed), 2, 'another schedule length is refused')
  assert.match(resumed.lines.join('\n'), /config\.train\.scheduleSteps: this run has 6, the checkpoint has 4/)
})

test('every command answers --help with its usage', () => {
  const seen: string[] = []
  for (const register of commands) {
    for (const [name, text] of helpOf(register)) {
      seen.push(name)
      assert.match(text, new RegExp(`Usage: jepa ${name}`), `${name} prints its usage`)
    }
  }
  for (const name of ['summary', 'masks', 'train', 'eval', 'compare', 'families']) assert.ok(seen.includes(name), `${name} is registered (${seen.join(', ')})`)
})

test('the example run config of every registered family decodes and builds', async () => {
  const { defaultFamilies } = await import('../../packages/cli/src/commands/families.ts')
  const { exampleRunConfig, runFamilies } = await import('../../packages/cli/src/commands/families-command.ts')
  for (const entry of defaultFamilies.values()) {
    const r = decodeRunConfig(exampleRunConfig(entry.name, entry.example))
    assert.ok(E.isRight(r), `${entry.name}: ${E.isLeft(r) ? r.left.format() : ''}`)
    assert.equal(r.right.family.name.startsWith(entry.name.split('-')[0]!), true, `${entry.name} builds its family (${r.right.family.name})`)
  }
  const io = capture()
  assert.equal(runFamilies(undefined, io), 0, 'listing exits 0')
  assert.ok(['ijepa', 'mae', 'simclr', 'vicreg', 'barlow', 'byol', 'simsiam', 'linear-ae'].every((n) => io.lines.some((l) => l.startsWith(n))), `all listed: ${io.lines.join('; ')}`)
  assert.equal(runFamilies('nope', capture()), 2, 'an unknown family exits 2')
})

test('I-JEPA through jepa train (wasm): 3 steps + --resume to 6 gives the same checkpoint bytes as 6 steps', async () => {
  const ijepa = {
    family: 'ijepa',
    model: { image: [32, 32, 1], patchSize: 4, encoder: { dim: 32, depth: 1, heads: 2 }, predictor: { dim: 16, depth: 1 }, masks: { strategy: 'multi-block-corrected', minKeep: 4 }, optimizer: { warmupSteps: 2 } },
    train: { batchSize: 4, steps: 6, scheduleSteps: 6, checkpointEvery: 2, monitorEvery: 0 },
  }
  const config = writeConfig(ijepa)
  const straight = join(dir(), 'run')
  const legs = join(dir(), 'run')
  const io = capture()
  assert.equal(await runTrain(config, { backend: 'wasm', out: straight }, io), 0, `6 steps: ${io.lines.join('\n')}`)
  assert.equal(await runTrain(config, { backend: 'wasm', out: legs, steps: 3 }, io), 0, `3 steps: ${io.lines.join('\n')}`)
  assert.equal(await runTrain(config, { backend: 'wasm', out: legs, resume: true }, io), 0, `resume to 6: ${io.lines.join('\n')}`)
  assert.ok(readFileSync(join(straight, 'checkpoint.safetensors')).equals(readFileSync(join(legs, 'checkpoint.safetensors'))), 'checkpoint files are byte-identical')
})

test('Ctrl-C (SIGINT) on `jepa train` (bin) exits 130 with a checkpoint of the step reached', async () => {
  const { spawn } = await import('node:child_process')
  const { readCheckpoint } = await import('@jepa-ts/train/node')
  const config = writeConfig({ ...good, train: { ...good.train, steps: 100000, checkpointEvery: 3, monitorEvery: 0 } })
  const out = join(dir(), 'run')
  const child = spawn(process.execPath, ['packages/cli/bin/jepa.mjs', 'train', config, '--out', out, '--backend', 'cpu'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const metrics = join(out, 'metrics.jsonl')
  for (let i = 0; i < 600; i++) {
    if (existsSync(metrics) && readFileSync(metrics, 'utf8').split('\n').length > 8) break
    await new Promise((r) => setTimeout(r, 50))
  }
  child.kill('SIGINT')
  assert.equal(await exited, 130, `exit 130; stderr: ${stderr}`)
  const reached = /interrupted after step (\d+)(?:; wrote checkpoint .*checkpoint\.safetensors at step \1|; the last good checkpoint is .*checkpoint\.safetensors)/.exec(stderr)
  assert.ok(reached !== null, `the message names the step and the checkpoint: ${stderr}`)
  const step = (await readCheckpoint(join(out, 'checkpoint.safetensors'))).meta.step
  assert.equal(step, Number(reached[1]), 'the checkpoint holds the step reached')
})
