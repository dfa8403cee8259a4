/**
 * The page's own files: a fixed table from URL path to file, nothing else. The page
 * (`public/index.html`, `app.js`, `style.css`, `playground.html`; the playground's script is
 * bundled, see playground-bundle.ts) and the pinned charting libraries' browser builds
 * (vega, vega-lite, vega-embed from this package's dependencies, found by node's
 * `node_modules` lookup from this folder). No URL path is ever joined to a folder here, so no
 * request can reach another file through this table; nothing is fetched from the network.
 *
 *   staticFiles() → Map('/app.js' → { file, contentType }, …)
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

export interface StaticFile {
  readonly file: string
  readonly contentType: string
}

const publicDir = join(import.meta.dirname, 'public')

/** The folder of package `name` as node would find it from `from` (walking up through node_modules). */
export const packageDir = (name: string, from: string = import.meta.dirname): string => {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dirname(dir) === dir) throw new Error(`jepa serve: cannot find the package ${name} (run pnpm install)`)
  }
}

const js = 'text/javascript; charset=utf-8'

/** The table of the page's files. */
export const staticFiles = (): ReadonlyMap<string, StaticFile> =>
  new Map<string, StaticFile>([
    ['/', { file: join(publicDir, 'index.html'), contentType: 'text/html; charset=utf-8' }],
    ['/playground', { file: join(publicDir, 'playground.html'), contentType: 'text/html; charset=utf-8' }],
    ['/app.js', { file: join(publicDir, 'app.js'), contentType: js }],
    ['/style.css', { file: join(publicDir, 'style.css'), contentType: 'text/css; charset=utf-8' }],
    ['/vendor/vega.min.js', { file: join(packageDir('vega'), 'build', 'vega.min.js'), contentType: js }],
    ['/vendor/vega-lite.min.js', { file: join(packageDir('vega-lite'), 'build', 'vega-lite.min.js'), contentType: js }],
    ['/vendor/vega-embed.min.js', { file: join(packageDir('vega-embed'), 'build', 'vega-embed.min.js'), contentType: js }],
  ])
