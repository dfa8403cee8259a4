import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runTrain, type CommandIo } from '../../packages/cli/src/commands/train.ts'
import { runEval } from '../../packages/cli/src/commands/eval.ts'
import { familyRegistry } from '../../packages/cli/src/commands/families.ts'

const dir = (): string => mkdtempSync(join(tmpdir(), 'jepa-cli-eval-'))
const capture = (): CommandIo & { lines: string[] } => {
  const lines: string[] = []
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l) }
}
const config = { family: 'linear-ae', model: { image: [32, 32, 1], width: 8 }, train: { batchSize: 16, steps: 3, checkpointEvery: 3, monitorEvery: 0 } }

const trainedRun = async (): Promise<string> => {
  const root = dir()
  const cfg = join(root, 'ae.json')
  writeFileSync(cfg, JSON.stringify(config))
  const out = join(root, 'run')
  const io = capture()
  assert.equal(await runTrain(cfg, { backend: 'cpu', out }, io), 0, `trained: ${io.lines.join('\n')}`)
  return out
}

test('jepa eval scores the checkpoint beside the random-init and raw-pixel baselines and writes eval.md / eval.json', async () => {
  const run = await trainedRun()
  const io = capture()
  assert.equal(await runEval(run, { backend: 'cpu', limit: 64, probeEpochs: 2 }, io), 0, `exit 0: ${io.lines.join('\n')}`)
  const text = io.lines.join('\n')
  // linear top-1, attentive top-1 (— : linear-ae exposes no tokens), kNN top-1
  assert.match(text, /\| linear-ae \(step 3\) \| \d+\.\d% \| — \| \d+\.\d% \|/)
  assert.match(text, /\| linear-ae \(random init\) \|/)
  assert.match(text, /\| raw pixels \|/)
  assert.ok(existsSync(join(run, 'eval.md')), 'eval.md written')
  const json = JSON.parse(readFileSync(join(run, 'eval.json'), 'utf8')) as { step: number; rows: Array<{ method: string; linearTop1: number }> }
  assert.equal(json.step, 3, 'eval.json names the step')
  assert.deepEqual(json.rows.map((r) => r.method), ['linear-ae (step 3)', 'linear-ae (random init)', 'raw pixels'])
  for (const r of json.rows) assert.ok(r.linearTop1 >= 0 && r.linearTop1 <= 1, `${r.method}: top-1 is a fraction`)
  // --out into a folder that does not exist yet creates it
  const out = join(run, 'probes', 'count')
  assert.equal(await runEval(run, { backend: 'cpu', limit: 32, probeEpochs: 1, out }, capture()), 0, 'exit 0 with a new --out folder')
  assert.ok(existsSync(join(out, 'eval.md')) && existsSync(join(out, 'eval.json')), 'eval.md and eval.json in the new --out folder')
})

test('jepa eval refuses a truncated checkpoint, a lying header, a missing file and an unknown family, naming the file', async () => {
  const run = await trainedRun()
  const file = join(run, 'checkpoint.safetensors')
  const good = readFileSync(file)
  const expectRefusal = async (target: string, pattern: RegExp, registry = undefined as Parameters<typeof runEval>[3]): Promise<void> => {
    const io = capture()
    assert.equal(await runEval(target, { backend: 'cpu', limit: 16, probeEpochs: 1 }, io, registry), 2, `exit 2 for ${String(pattern)}`)
    assert.match(io.lines.join('\n'), pattern)
  }
  await expectRefusal(run, /checkpoint\.safetensors \(metadata\.config\): Expecting one of \(no families registered\) at family but instead got: "linear-ae"/, familyRegistry([]))
  writeFileSync(file, good.subarray(0, good.length - 4))
  await expectRefusal(run, new RegExp(`not a valid checkpoint: ${file.replace(/[.]/g, '\\.')}`))
  const headerLength = Number(good.readBigUInt64LE(0))
  const header = good.subarray(8, 8 + headerLength).toString('utf8').replace('"shape":[1024,8]', '"shape":[1024,9]')
  writeFileSync(file, Buffer.concat([good.subarray(0, 8), Buffer.from(header), good.subarray(8 + headerLength)]))
  await expectRefusal(run, new RegExp(`${file.replace(/[.]/g, '\\.')}.*params\\.encoder\\.weight`))
  await expectRefusal(join(run, 'nope.safetensors'), /cannot read checkpoint .*nope\.safetensors/)
})
