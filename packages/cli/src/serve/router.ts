/**
 * The routes of `jepa serve`, each a function from a request URL to a reply or a failure:
 *
 *   GET /                          the page (and /app.js, /style.css, /vendor/*.js: static-files.ts)
 *   GET /api/runs                  every table and run in the runs folder (discover.ts)
 *   GET /api/metrics?run=&from=    a run's metrics lines after a cursor (metrics-tailer.ts)
 *   GET /api/neighbours?run=&k=&queries=   top-k train neighbours of test images (neighbours.ts)
 *   GET /api/image?split=&index=&scale=    a dataset image as PNG (thumbnails.ts)
 *   GET /api/masks?run=&step=&count=       an I-JEPA run's masks of a training step (mask-gallery.ts)
 *   GET /files/<path>              a file under the runs folder (the charts `jepa compare` drew)
 *   GET /api/attention?run=&step=&index=&block=   an I-JEPA run's predictor attention over a test image (attention-view.ts)
 *   GET /playground                the playground page; /playground.js its bundled script (playground-bundle.ts)
 *   GET /api/playground/images?split=&count=   the first images of a split for it (playground-data.ts)
 *
 * Contract: only GET and HEAD (405 otherwise); every path or run id goes through `resolveUnder`
 * (4xx for traversal, absolute paths, symlinks out, missing files); every number through the
 * checked readers of query.ts (400 naming the parameter). Nothing here writes a file. A file or
 * folder that vanishes while being read is a 404.
 */
import { readFile, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { discoverRuns } from './discover.ts'
import { maskGallery } from './mask-gallery.ts'
import { attentionView } from './attention-view.ts'
import { type HttpFailure, type Reply, badRequest, isMissingPathError, notFound } from './http.ts'
import { parseCursor, readMetricsFrom } from './metrics-tailer.ts'
import { type NeighbourCache, defaultQueries, nearestNeighbours } from './neighbours.ts'
import { choiceParam, intListParam, intParam, stringParam } from './query.ts'
import { resolveUnder } from './safe-path.ts'
import type { StaticFile } from './static-files.ts'
import { thumbnailPng } from './thumbnails.ts'
import { MAX_PLAYGROUND_IMAGES, type PlaygroundImagesSource } from './playground-data.ts'

/** What the routes need: the real runs folder, the page's files, the neighbour cache, the playground's images and script. */
export interface ServeContext {
  readonly realRoot: string
  readonly staticFiles: ReadonlyMap<string, StaticFile>
  readonly neighbours: NeighbourCache
  readonly playgroundImages: PlaygroundImagesSource
  readonly playgroundBundle: () => Promise<Uint8Array>
}

type Result = E.Either<HttpFailure, Reply>

/** Largest k and number of queries the neighbours route accepts. */
export const MAX_K = 32
export const MAX_QUERIES = 16
export const DEFAULT_QUERIES = 6
/** Largest training step and number of images the mask gallery accepts. */
export const MAX_STEP = 1_000_000_000
export const MAX_MASK_IMAGES = 8

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

const json = (body: unknown): Result => E.right({ kind: 'json', body })

/** A run directory named by the `run` parameter. */
const runDir = async (ctx: ServeContext, params: URLSearchParams): Promise<E.Either<HttpFailure, string>> => {
  const id = stringParam(params, 'run')
  if (E.isLeft(id)) return id
  const dir = await resolveUnder(ctx.realRoot, id.right === '.' ? '' : id.right)
  if (E.isLeft(dir)) return dir
  const info = await stat(dir.right)
  return info.isDirectory() ? dir : E.left(badRequest(`run: ${JSON.stringify(id.right)} is not a run directory`))
}

const metricsRoute = async (ctx: ServeContext, params: URLSearchParams): Promise<Result> => {
  const cursor = parseCursor(params.get('from'))
  if (E.isLeft(cursor)) return cursor
  const dir = await runDir(ctx, params)
  if (E.isLeft(dir)) return dir
  try {
    return json(await readMetricsFrom(join(dir.right, 'metrics.jsonl'), cursor.right))
  } catch (e) {
    if (isMissingPathError(e)) return E.left(notFound(`run ${params.get('run') ?? ''}: no metrics.jsonl (yet)`))
    throw e
  }
}

const neighboursRoute = async (ctx: ServeContext, params: URLSearchParams): Promise<Result> => {
  const k = intParam(params, 'k', 1, MAX_K, 8)
  if (E.isLeft(k)) return k
  const data = ctx.neighbours.data.get()
  if (E.isLeft(data)) return E.left({ status: 500, message: data.left })
  const queries = intListParam(params, 'queries', 0, data.right.test.size - 1, MAX_QUERIES)
  if (E.isLeft(queries)) return queries
  const dir = await runDir(ctx, params)
  if (E.isLeft(dir)) return dir
  const r = await nearestNeighbours(ctx.neighbours, dir.right, queries.right ?? defaultQueries(data.right.test, DEFAULT_QUERIES), k.right)
  return E.isLeft(r) ? r : json(r.right)
}

const imageRoute = async (ctx: ServeContext, params: URLSearchParams): Promise<Result> => {
  const split = choiceParam(params, 'split', ['train', 'test'] as const)
  if (E.isLeft(split)) return split
  const data = ctx.neighbours.data.get()
  if (E.isLeft(data)) return E.left({ status: 500, message: data.left })
  const dataset = data.right[split.right]
  const index = intParam(params, 'index', 0, dataset.size - 1)
  if (E.isLeft(index)) return index
  const scale = intParam(params, 'scale', 1, 8, 3)
  if (E.isLeft(scale)) return scale
  return E.right({ kind: 'bytes', body: await thumbnailPng(dataset, index.right, scale.right), contentType: 'image/png' })
}

const masksRoute = async (ctx: ServeContext, params: URLSearchParams): Promise<Result> => {
  const step = intParam(params, 'step', 1, MAX_STEP, 1)
  if (E.isLeft(step)) return step
  const count = intParam(params, 'count', 1, MAX_MASK_IMAGES, 4)
  if (E.isLeft(count)) return count
  const dir = await runDir(ctx, params)
  if (E.isLeft(dir)) return dir
  const r = await maskGallery(dir.right, step.right, count.right, ctx.neighbours.data)
  return E.isLeft(r) ? r : json(r.right)
}

/** Largest target block index the attention route accepts (the collator's nTargets is far below). */
export const MAX_TARGET_BLOCK = 63

const attentionRoute = async (ctx: ServeContext, params: URLSearchParams): Promise<Result> => {
  const step = intParam(params, 'step', 1, MAX_STEP, 1)
  if (E.isLeft(step)) return step
  const block = intParam(params, 'block', 0, MAX_TARGET_BLOCK, 0)
  if (E.isLeft(block)) return block
  const data = ctx.neighbours.data.get()
  if (E.isLeft(data)) return E.left({ status: 500, message: data.left })
  const index = intParam(params, 'index', 0, data.right.test.size - 1, 0)
  if (E.isLeft(index)) return index
  const dir = await runDir(ctx, params)
  if (E.isLeft(dir)) return dir
  const r = await attentionView(dir.right, { step: step.right, index: index.right, block: block.right }, ctx.neighbours.data)
  return E.isLeft(r) ? r : json(r.right)
}

const playgroundImagesRoute = (ctx: ServeContext, params: URLSearchParams): Result => {
  const split = choiceParam(params, 'split', ['train', 'test'] as const)
  if (E.isLeft(split)) return split
  const count = intParam(params, 'count', 1, MAX_PLAYGROUND_IMAGES)
  if (E.isLeft(count)) return count
  const bytes = ctx.playgroundImages(split.right, count.right)
  return E.isLeft(bytes) ? bytes : E.right({ kind: 'bytes', body: bytes.right, contentType: 'application/json; charset=utf-8' })
}

const fileRoute = async (ctx: ServeContext, rawPath: string): Promise<Result> => {
  let relative: string
  try {
    relative = decodeURIComponent(rawPath)
  } catch {
    return E.left(badRequest(`path: ${JSON.stringify(rawPath.slice(0, 200))} is not a valid percent-encoded path`))
  }
  const file = await resolveUnder(ctx.realRoot, relative)
  if (E.isLeft(file)) return file
  const info = await stat(file.right)
  if (!info.isFile()) return E.left(notFound(`${relative}: not a file`))
  return E.right({ kind: 'bytes', body: await readFile(file.right), contentType: CONTENT_TYPES[extname(file.right).toLowerCase()] ?? 'application/octet-stream' })
}

const staticRoute = async (ctx: ServeContext, path: string): Promise<Result> => {
  const entry = ctx.staticFiles.get(path)
  if (entry === undefined) return E.left(notFound(`${path.slice(0, 200)}: no such page`))
  return E.right({ kind: 'bytes', body: await readFile(entry.file), contentType: entry.contentType })
}

/**
 * The reply to one request. `rawTarget` is the request target exactly as sent (`req.url`): the
 * `/files/` route reads its path from it, before any URL normalization could hide a `..`.
 */
export const route = async (ctx: ServeContext, method: string, rawTarget: string): Promise<Result> => {
  if (method !== 'GET' && method !== 'HEAD') return E.left({ status: 405, message: `${method}: the server is read-only (GET and HEAD only)` })
  const queryAt = rawTarget.indexOf('?')
  const rawPath = queryAt < 0 ? rawTarget : rawTarget.slice(0, queryAt)
  const params = new URLSearchParams(queryAt < 0 ? '' : rawTarget.slice(queryAt + 1))
  try {
    if (rawPath.startsWith('/files/')) return await fileRoute(ctx, rawPath.slice('/files/'.length))
    switch (rawPath) {
      case '/api/runs': return json(await discoverRuns(ctx.realRoot))
      case '/api/metrics': return await metricsRoute(ctx, params)
      case '/api/neighbours': return await neighboursRoute(ctx, params)
      case '/api/image': return await imageRoute(ctx, params)
      case '/api/masks': return await masksRoute(ctx, params)
      case '/api/attention': return await attentionRoute(ctx, params)
      case '/api/playground/images': return playgroundImagesRoute(ctx, params)
      case '/playground.js': return E.right({ kind: 'bytes', body: await ctx.playgroundBundle(), contentType: 'text/javascript; charset=utf-8' })
      default: return await staticRoute(ctx, rawPath)
    }
  } catch (e) {
    if (isMissingPathError(e)) return E.left(notFound(`${rawPath.slice(0, 200)}: the file or run vanished while being read`))
    throw e
  }
}
