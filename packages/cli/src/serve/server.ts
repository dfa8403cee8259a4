/**
 * `startServer(options)`: the HTTP server of `jepa serve` over one runs folder.
 *
 *   const server = await startServer({ root: 'runs', host: '127.0.0.1', port: 0 })
 *   server.url   // 'http://127.0.0.1:40123/'
 *   await server.close()
 *
 * Contract: binds `host` (default 127.0.0.1, the local machine only) and `port` (0 = any free
 * port); `root` must be an existing folder (its real path is fixed at start, so later symlinks
 * cannot move it). Each request is answered by `route` (router.ts); a failure is JSON
 * `{ error }` with its status; an unexpected exception is a 500 with its message and the server
 * keeps serving. `close()` stops listening, ends open connections (a page polling keeps one) and
 * frees the cached encoders.
 */
import { createServer } from 'node:http'
import { realpath, stat } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import { servedData } from './datasets.ts'
import { sendFailure, sendReply } from './http.ts'
import { disposeNeighbourCache, neighbourCache } from './neighbours.ts'
import { type ServeContext, route } from './router.ts'
import { staticFiles } from './static-files.ts'
import { playgroundBundle } from './playground-bundle.ts'
import { playgroundImages } from './playground-data.ts'

export interface ServeOptions {
  readonly root: string
  readonly host?: string
  readonly port?: number
  /** The dataset the neighbours and thumbnails come from (`--data`; default Debian's Fashion-MNIST, else synthetic). */
  readonly dataPath?: string
  /** Train images searched for neighbours (default 1000). */
  readonly trainSample?: number
  /** Called with each unexpected exception (default: ignored after the 500 reply). */
  readonly onError?: (e: unknown) => void
}

export interface RunningServer {
  readonly url: string
  readonly port: number
  readonly close: () => Promise<void>
}

/** Default number of train images searched for neighbours. */
export const DEFAULT_TRAIN_SAMPLE = 1000

/** Starts the server; rejects naming the folder when `root` is not one. */
export const startServer = async (options: ServeOptions): Promise<RunningServer> => {
  let realRoot: string
  try {
    realRoot = await realpath(options.root)
  } catch {
    throw new Error(`jepa serve: ${options.root}: no such folder`)
  }
  if (!(await stat(realRoot)).isDirectory()) throw new Error(`jepa serve: ${options.root}: not a folder`)
  const data = servedData(options.dataPath)
  const ctx: ServeContext = {
    realRoot,
    staticFiles: staticFiles(),
    neighbours: neighbourCache(data, options.trainSample ?? DEFAULT_TRAIN_SAMPLE),
    playgroundImages: playgroundImages(data),
    playgroundBundle: playgroundBundle(),
  }
  const server = createServer((req, res) => {
    const head = req.method === 'HEAD'
    route(ctx, req.method ?? 'GET', req.url ?? '/').then(
      (r) => (E.isLeft(r) ? sendFailure(res, r.left, head) : sendReply(res, r.right, head)),
      (e: unknown) => {
        options.onError?.(e)
        if (!res.headersSent) sendFailure(res, { status: 500, message: e instanceof Error ? e.message : String(e) }, head)
        else res.destroy()
      },
    )
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await disposeNeighbourCache(ctx.neighbours)
    },
  }
}
