/**
 * A family from outside the packages runs through `jepa` like a built-in one: the data2vec-style
 * family of examples/plugin-family/ (written from exported names only), named by path in a run
 * config, is trained, evaluated and compared by the `jepa` binary (separate processes, from another
 * working directory, so the path resolves against the config file and the checkpoint stores it
 * absolutely), resumed and swept through the exported API of @jepa-ts/cli; and a path that is not a
 * family module is refused naming the file and the contract.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type CommandIo, defaultFamilies, readRunConfig, runSweep, runTrain } from '@jepa-ts/cli'
import { readCheckpoint } from '@jepa-ts/train/node'

const root = resolve(import.meta.dirname, '..', '..')
const bin = join(root, 'packages', 'cli', 'bin', 'jepa.mjs')
const moduleFile = join(root, 'examples', 'plugin-family', 'data2vec.ts')
const exampleConfig = join(root, 'examples', 'plugin-family', 'data2vec.json')
const work = mkdtempSync(join(tmpdir(), 'jepa-plugin-'))
const tiny = ['--data', 'synthetic', '--backend', 'cpu']
const evalFlags = ['--limit', '48', '--probe-epochs', '1', '--attentive-epochs', '0']

/** Runs `jepa …` in `cwd`; the exit code and everything it printed. */
const jepa = (args: readonly string[], cwd = work): { status: number | null; out: string } => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } })
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` }
}

const capture = (): CommandIo & { text: () => string } => {
  const lines: string[] = []
  return { text: () => lines.join('\n'), out: (l) => lines.push(l), err: (l) => lines.push(l) }
}

/** A config in `dir` naming the plug-in by a path relative to `dir`. */
const pluginConfig = (dir: string, name: string, model: Record<string, unknown> = {}, train: Record<string, unknown> = {}): string => {
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `${name}.json`)
  const family = `./${relative(dir, moduleFile)}`.replace(/^\.\/\.\.\//, '../')
  writeFileSync(path, JSON.stringify({ family, model: { image: [32, 32, 1], patchSize: 8, dim: 16, depth: 1, heads: 2, ...model }, train: { batchSize: 8, steps: 2, checkpointEvery: 1, monitorEvery: 1, monitorImages: 16, ...train } }))
  return path
}

test('jepa train and jepa eval run the plug-in family named by path; the checkpoint names the module absolutely', () => {
  const run = join(work, 'run')
  const trained = jepa(['train', exampleConfig, '--steps', '2', '--out', run, ...tiny])
  assert.equal(trained.status, 0, trained.out)
  assert.match(trained.out, /data2vec: synthetic-shapes/)
  assert.match(trained.out, /trained to step 2/)
  const evaluated = jepa(['eval', run, ...tiny, ...evalFlags], tmpdir())
  assert.equal(evaluated.status, 0, evaluated.out)
  for (const row of ['data2vec \\(step 2\\)', 'data2vec \\(random init\\)', 'raw pixels']) assert.match(evaluated.out, new RegExp(`\\| ${row} \\| \\d+\\.\\d% \\|`), `row ${row}`)
  assert.match(readFileSync(join(run, 'eval.md'), 'utf8'), /data2vec \(step 2\)/)
})

test('the stored config names the module by its absolute path, and --resume continues the run through the exported runTrain', async () => {
  const run = join(work, 'run')
  const file = await readCheckpoint(join(run, 'checkpoint.safetensors'))
  assert.equal((file.meta.config as { family: string }).family, moduleFile)
  // a run of 2 steps on a 4-step schedule, then resumed to 3 (the stored config must match the re-decoded one)
  const config = pluginConfig(join(work, 'resume'), 'resume', {}, { scheduleSteps: 4 })
  const dir = join(work, 'resume', 'run')
  const first = capture()
  assert.equal(await runTrain(config, { out: dir, data: 'synthetic', backend: 'cpu' }, first), 0, first.text())
  const io = capture()
  assert.equal(await runTrain(config, { out: dir, resume: true, steps: 3, data: 'synthetic', backend: 'cpu' }, io), 0, io.text())
  assert.match(io.text(), /trained to step 3/)
})

test('jepa compare ranks the plug-in beside a built-in family (the config names it relative to the config file)', () => {
  const cfg = join(work, 'configs')
  const d2v = pluginConfig(cfg, 'd2v')
  const ae = join(cfg, 'ae.json')
  writeFileSync(ae, JSON.stringify({ family: 'linear-ae', model: { image: [32, 32, 1], width: 8 }, train: { batchSize: 8, steps: 2 } }))
  const out = join(work, 'compare')
  const r = jepa(['compare', d2v, ae, '--budget-steps', '2', '--curve', 'none', '--out', out, ...tiny, ...evalFlags], tmpdir())
  assert.equal(r.status, 0, r.out)
  const md = readFileSync(join(out, 'results.md'), 'utf8')
  for (const row of ['d2v: data2vec \\(step 2\\)', 'd2v: data2vec \\(random init\\)', 'ae: linear-ae \\(step 2\\)', 'raw pixels']) assert.match(md, new RegExp(`\\| ${row} \\| \\d+\\.\\d% \\|`), `row ${row}`)
  assert.match(readFileSync(join(out, 'rankme.svg'), 'utf8'), />d2v</, 'the monitor ran for the plug-in')
})

test('jepa sweep varies the plug-in\'s model section (derived configs are written elsewhere: the module path still resolves)', async () => {
  const base = pluginConfig(join(work, 'sweep-base'), 'base')
  const out = join(work, 'sweep')
  const io = capture()
  const code = await runSweep(base, { set: [{ path: ['model', 'maskRatio'], values: [0.25, 0.75] }], budgetSteps: 1, out, data: 'synthetic', backend: 'cpu', limit: 48, probeEpochs: 1, attentiveEpochs: 0 }, io)
  assert.equal(code, 0, io.text())
  const md = readFileSync(join(out, 'sweep.md'), 'utf8')
  assert.match(md, /maskRatio/)
  assert.equal((md.match(/data2vec|`0\.(25|75)`/g) ?? []).length >= 2, true, md)
})

test('a family path that is not a family module is refused naming the file and the contract', async () => {
  const dir = join(work, 'bad')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'not-a-family.mjs'), 'export const x = 1\n')
  const config = (family: string): string => {
    const path = join(dir, `cfg-${family.replace(/[^a-z]/g, '')}.json`)
    writeFileSync(path, JSON.stringify({ family, model: {}, train: { batchSize: 8, steps: 1 } }))
    return path
  }
  const missing = await readRunConfig(config('./missing-family.ts'), defaultFamilies)
  assert.ok(E.isLeft(missing))
  assert.match(missing.left.format(), new RegExp(`cfg-missingfamilyts\\.json: cannot import the family module ${join(dir, 'missing-family.ts').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
  const wrong = await readRunConfig(config('./not-a-family.mjs'), defaultFamilies)
  assert.ok(E.isLeft(wrong))
  assert.match(wrong.left.format(), /must have a default export \{ name: string, build\(model, root, \{ totalSteps \}\) .*; got no default export/)
  const unknown = await readRunConfig(config('bjepa'), defaultFamilies)
  assert.ok(E.isLeft(unknown))
  assert.match(unknown.left.format(), /Expecting one of .* at family but instead got: "bjepa" \(a family outside this build is named by its module's path/)
  const badModel = await readRunConfig(pluginConfig(dir, 'bad-model', { patchSize: 0, maskRatio: 1 }), defaultFamilies)
  assert.ok(E.isLeft(badModel))
  assert.match(badModel.left.format(), /Expecting PositiveInt at model\.patchSize/)
  assert.match(badModel.left.format(), /Expecting MaskRatio at model\.maskRatio/)
})
