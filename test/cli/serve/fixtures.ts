/**
 * Shared fixtures of the `jepa serve` tests: a temp runs folder with a hand-written comparison,
 * a sweep and a run's metrics (no training), plain HTTP requests with the request target sent
 * exactly as written (node's fetch would normalize `..` away), and a snapshot of a folder tree
 * (names, sizes, mtimes) to prove the server wrote nothing.
 */
import { request } from 'node:http'
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The content of the file outside the runs folder (no reply may contain it). */
export const SECRET = 'the-content-of-a-file-outside-the-runs-folder'

export const results = {
  notes: ['budget: 3 steps per config'],
  rows: [
    { method: 'a: linear-ae (step 3)', linearTop1: 0.5, knnTop1: 0.25, rankMe: 3.5, collapseStd: 0.01, imagesPerSecond: 100, wallSeconds: 2 },
    { method: 'a: linear-ae (random init)', linearTop1: 0.125, knnTop1: 0.2, rankMe: 1.5 },
    { method: 'raw pixels', linearTop1: 0.75, knnTop1: 0.5, rankMe: 20 },
  ],
  curves: { a: [{ step: 0, wallSeconds: 0, linearTop1: 0.125 }, { step: 3, wallSeconds: 2, linearTop1: 0.5 }] },
}

export const sweep = {
  notes: ['a sweep'],
  recipes: [{ name: 'lr-0.1', settings: { 'model.optimizer.lr': 0.1 }, row: { method: 'lr-0.1: mae (step 5)', linearTop1: 0.3 } }],
  baselines: [{ method: 'random init (every recipe)', linearTop1: 0.1 }, { method: 'raw pixels', linearTop1: 0.7 }],
}

export const metricsLine = (step: number): string => `${JSON.stringify({ step, loss: 1 / step, lr: 0.001, elapsedSeconds: step / 10, ...(step % 2 === 0 ? { rankMe: step, collapseStd: 0.1 } : {}) })}\n`

/** A runs folder: cmp/results.json, cmp/a/metrics.jsonl (3 steps), sweep/sweep.json; and a secret file beside it. */
export const runsFolder = (): { root: string; outside: string } => {
  const base = mkdtempSync(join(tmpdir(), 'jepa-serve-'))
  const root = join(base, 'runs')
  mkdirSync(join(root, 'cmp', 'a'), { recursive: true })
  mkdirSync(join(root, 'sweep'), { recursive: true })
  writeFileSync(join(root, 'cmp', 'results.json'), JSON.stringify(results))
  writeFileSync(join(root, 'cmp', 'a', 'metrics.jsonl'), [1, 2, 3].map(metricsLine).join(''))
  writeFileSync(join(root, 'sweep', 'sweep.json'), JSON.stringify(sweep))
  const outside = join(base, 'outside')
  mkdirSync(outside)
  writeFileSync(join(outside, 'secret.txt'), SECRET)
  writeFileSync(join(outside, 'metrics.jsonl'), metricsLine(1))
  return { root, outside }
}

export interface RawReply {
  readonly status: number
  readonly body: string
}

/** A request with `target` sent byte for byte (no URL normalization). */
export const rawRequest = (port: number, target: string, method = 'GET'): Promise<RawReply> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: target, method }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('error', reject)
    req.end()
  })

/** Every path under `dir` with its size and mtime (symlinks not followed). */
export const treeSnapshot = (dir: string): string[] => {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name)
      const s = lstatSync(p)
      out.push(`${p} ${s.size} ${s.mtimeMs}`)
      if (e.isDirectory()) walk(p)
    }
  }
  walk(dir)
  return out
}

/** A tiny linear-ae config (32×32×1 images, width 4) like the compare tests'. */
export const tinyConfig = { family: 'linear-ae', model: { image: [32, 32, 1], width: 4 }, train: { batchSize: 16, steps: 100, checkpointEvery: 2, monitorEvery: 2, monitorImages: 32 } }

/** A tiny I-JEPA config (8×8 patch grid, the corrected multi-block masks). */
export const tinyIjepaConfig = {
  family: 'ijepa',
  model: { image: [32, 32, 1], patchSize: 4, encoder: { dim: 8, depth: 1, heads: 2 }, predictor: { dim: 8, depth: 1 }, masks: { strategy: 'multi-block-corrected', minKeep: 4 } },
  train: { batchSize: 8, steps: 100, checkpointEvery: 2, monitorEvery: 2, monitorImages: 16 },
}
