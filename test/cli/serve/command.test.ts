/**
 * `jepa serve` as a command (the package's bin, packages/cli/bin/jepa.mjs, run by node: pnpm would
 * re-raise the signal and hide the exit code): prints the URL of 127.0.0.1, answers requests, and
 * stops cleanly (exit 0) on Ctrl-C sent to its process group as a terminal does; a folder that does not exist is exit 2 naming it.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { runServe } from '../../../packages/cli/src/commands/serve.ts'
import { runsFolder } from './fixtures.ts'

const bin = join(import.meta.dirname, '..', '..', '..', 'packages', 'cli', 'bin', 'jepa.mjs')

test('jepa serve prints the URL, serves, and exits 0 on Ctrl-C', async () => {
  const { root } = runsFolder()
  const child = spawn(process.execPath, [bin, 'serve', root, '--port', '0', '--backend', 'cpu'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let output = ''
  child.stdout.on('data', (d: Buffer) => { output += d.toString() })
  child.stderr.on('data', (d: Buffer) => { output += d.toString() })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  for (let i = 0; i < 1200 && !/http:\/\/\S+/.test(output); i++) await new Promise((r) => setTimeout(r, 50))
  const url = /http:\/\/\S+/.exec(output)?.[0]
  if (url === undefined) process.kill(-child.pid!, 'SIGKILL')
  assert.ok(url !== undefined, `printed a URL: ${output}`)
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/, 'binds this machine only by default')
  const found = (await (await fetch(`${url}api/runs`)).json()) as { tables: Array<{ id: string }> }
  assert.deepEqual(found.tables.map((t) => t.id).sort(), ['cmp', 'sweep'])
  process.kill(-child.pid!, 'SIGINT')
  const guard = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000)
  const { code, signal } = await exited
  clearTimeout(guard)
  assert.equal(code, 0, `exit 0 (code ${code}, signal ${signal}): ${output}`)
  assert.match(output, /stopped \(SIGINT\)/)
  await assert.rejects(fetch(`${url}api/runs`), 'the port is closed')
})

test('jepa serve on a folder that does not exist: exit 2 naming it', async () => {
  const lines: string[] = []
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) }
  assert.equal(await runServe('/no/such/runs-folder', { host: '127.0.0.1', port: 0, backend: 'cpu' }, io), 2)
  assert.match(lines.join('\n'), /\/no\/such\/runs-folder: no such folder/)
})
