/**
 * The mask gallery reproduces the masks a run drew: for each step of a tiny I-JEPA run trained
 * here, the gallery's context and target token counts equal the ones the training loop logged in
 * metrics.jsonl for that step; the picture is an SVG with one panel per image asked for; a run of
 * a family without a mask collator is a 400 that says so, and bad steps and counts are 400s.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runTrain } from '../../../packages/cli/src/commands/train.ts'
import { startServer } from '../../../packages/cli/src/serve/server.ts'
import { tinyConfig, tinyIjepaConfig } from './fixtures.ts'

const lines: string[] = []
const quiet = { out: (l: string) => { lines.push(l) }, err: (l: string) => { lines.push(l) } }

test('the gallery draws the masks of each training step of an I-JEPA run', async () => {
  const base = mkdtempSync(join(tmpdir(), 'jepa-serve-masks-'))
  const root = join(base, 'runs')
  writeFileSync(join(base, 'ijepa.json'), JSON.stringify({ ...tinyIjepaConfig, train: { batchSize: 8, steps: 4, checkpointEvery: 4, monitorEvery: 0 } }))
  writeFileSync(join(base, 'ae.json'), JSON.stringify(tinyConfig))
  assert.equal(await runTrain(join(base, 'ijepa.json'), { backend: 'cpu', out: join(root, 'ijepa'), data: 'synthetic' }, quiet), 0, lines.join('\n'))
  assert.equal(await runTrain(join(base, 'ae.json'), { backend: 'cpu', out: join(root, 'ae'), data: 'synthetic', steps: 2 }, quiet), 0)
  const logged = readFileSync(join(root, 'ijepa', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; contextTokens: number; targetTokens: number; targetBlocks: number })
  assert.equal(logged.length, 4)
  const server = await startServer({ root, port: 0, dataPath: 'synthetic' })
  try {
    for (const line of logged) {
      const res = await fetch(`${server.url}api/masks?run=ijepa&step=${line.step}&count=3`)
      const body = (await res.json()) as { svg: string; family: string; step: number; checkpointStep: number; contextTokens: number; targetTokens: number; targetBlocks: number; images: string }
      assert.equal(res.status, 200, JSON.stringify(body))
      assert.deepEqual([body.contextTokens, body.targetTokens, body.targetBlocks], [line.contextTokens, line.targetTokens, line.targetBlocks], `step ${line.step}: the masks the loop drew`)
      assert.equal(body.family, 'ijepa')
      assert.equal(body.checkpointStep, 4)
      assert.equal(body.images, 'batch', 'the step\'s own images (the served dataset is the run\'s)')
      assert.ok(body.svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'))
      assert.equal((body.svg.match(/>image \d</g) ?? []).length, 3, 'one panel per image asked for')
    }
    const mae = await fetch(`${server.url}api/masks?run=ae`)
    assert.equal(mae.status, 400)
    assert.match(((await mae.json()) as { error: string }).error, /linear-ae has no mask collator; the mask gallery is for I-JEPA runs/)
    for (const [q, message] of [['step=0', /^step: expected an integer in 1\.\./], ['step=x', /^step: /], ['count=9', /^count: expected an integer in 1\.\.8/]] as const) {
      const res = await fetch(`${server.url}api/masks?run=ijepa&${q}`)
      assert.equal(res.status, 400, q)
      assert.match(((await res.json()) as { error: string }).error, message)
    }
  } finally {
    await server.close()
  }
})
