/**
 * The metrics tailer reads only what is new, only complete lines, and survives the file being
 * rewritten, truncated, or holding a line that is not a record.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { parseCursor, parseMetricsLine, readMetricsFrom } from '../../../packages/cli/src/serve/metrics-tailer.ts'
import { metricsLine } from './fixtures.ts'

const file = (): string => join(mkdtempSync(join(tmpdir(), 'jepa-serve-tail-')), 'metrics.jsonl')
const cursor = (text: string) => {
  const c = parseCursor(text)
  assert.ok(E.isRight(c), text)
  return c.right
}
const start = cursor('')

test('a half-written last line is left for the next read; the cursor moves past complete lines only', async () => {
  const path = file()
  writeFileSync(path, metricsLine(1) + metricsLine(2) + '{"step":3,"lo')
  const first = await readMetricsFrom(path, start)
  assert.deepEqual(first.records.map((r) => r.step), [1, 2])
  assert.equal(first.reset, false)
  const again = await readMetricsFrom(path, cursor(first.cursor))
  assert.deepEqual(again.records, [], 'nothing new until the line ends')
  assert.equal(again.cursor, first.cursor)
  appendFileSync(path, 'ss":0.5}\n' + metricsLine(4))
  const next = await readMetricsFrom(path, cursor(first.cursor))
  assert.deepEqual(next.records.map((r) => r.step), [3, 4])
  assert.equal(next.records[0]!['loss'], 0.5)
})

test('lines that are not records are skipped; non-finite values are left out of a record', async () => {
  const path = file()
  writeFileSync(path, `${metricsLine(1)}not json\n[1,2]\n{"loss":1}\n{"step":"2"}\n\n{"step":5,"loss":"NaN","lr":0.1}\n`)
  const r = await readMetricsFrom(path, start)
  assert.deepEqual(r.records, [{ step: 1, loss: 1, lr: 0.001, elapsedSeconds: 0.1 }, { step: 5, lr: 0.1 }])
  assert.equal(parseMetricsLine('{"step":1e400}'), undefined, 'an infinite step is no step')
})

test('a replaced (resumed) or truncated file restarts from the beginning with reset', async () => {
  const path = file()
  writeFileSync(path, metricsLine(1) + metricsLine(2) + metricsLine(3))
  const first = await readMetricsFrom(path, start)
  const replacement = `${path}.tmp`
  writeFileSync(replacement, metricsLine(1) + metricsLine(2) + metricsLine(3) + metricsLine(4))
  renameSync(replacement, path)
  const afterRename = await readMetricsFrom(path, cursor(first.cursor))
  assert.equal(afterRename.reset, true, 'another inode')
  assert.deepEqual(afterRename.records.map((r) => r.step), [1, 2, 3, 4])
  writeFileSync(path, metricsLine(1))
  const afterTruncate = await readMetricsFrom(path, cursor(afterRename.cursor))
  assert.equal(afterTruncate.reset, true, 'shorter than the cursor')
  assert.deepEqual(afterTruncate.records.map((r) => r.step), [1])
})

test('law: reading in chunks of any size, with lines appended in any pieces, yields every record once, in order', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 30 }), fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 8, max: 400 }), async (steps, cuts, maxBytes) => {
      const path = file()
      const text = Array.from({ length: steps }, (_, i) => metricsLine(i + 1)).join('')
      writeFileSync(path, '')
      const seen: number[] = []
      let c = start
      let written = 0
      for (const cut of [...cuts, text.length]) {
        const until = Math.min(text.length, written + cut)
        appendFileSync(path, text.slice(written, until))
        written = until
        for (let more = true; more;) {
          const r = await readMetricsFrom(path, c, Math.max(maxBytes, 200))
          seen.push(...r.records.map((x) => x.step))
          c = cursor(r.cursor)
          more = r.more
        }
        if (written === text.length) break
      }
      assert.deepEqual(seen, Array.from({ length: steps }, (_, i) => i + 1))
    }),
    { numRuns: 40 },
  )
})

test('a missing metrics file is an ENOENT error (the route turns it into a 404)', async () => {
  await assert.rejects(readMetricsFrom(join(tmpdir(), 'no-such-dir-jepa', 'metrics.jsonl'), start), { code: 'ENOENT' })
})
