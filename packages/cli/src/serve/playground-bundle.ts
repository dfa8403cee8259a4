/**
 * The playground's script: `playground/page.ts` and everything it imports — our browser-safe
 * packages (core, ops, nn, masks, ssl, train, eval) and tfjs with its WebGPU, WebGL and CPU
 * backends — bundled by esbuild for the browser when the page first asks for it, then kept.
 *
 *   const bundle = playgroundBundle()
 *   await bundle()   // Uint8Array of one ESM file (~3 MB, minified)
 *
 * Contract: the build is `platform: 'browser'`, so a Node built-in reached from the page fails it
 * (esbuild cannot resolve `node:fs` for browsers), and the failure names the import; a failed build
 * is not cached (the next request tries again). Nothing is written to disk.
 */
import { join } from 'node:path'
import * as esbuild from 'esbuild'

const entry = join(import.meta.dirname, 'playground', 'page.ts')

/** A memoized build of the page's script. */
export const playgroundBundle = (): (() => Promise<Uint8Array>) => {
  let built: Promise<Uint8Array> | undefined
  return () => {
    built ??= esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      minify: true,
      write: false,
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"' },
    }).then(
      (r) => r.outputFiles[0]!.contents,
      (e: unknown) => {
        built = undefined
        throw new Error(`jepa serve: bundling the playground failed: ${e instanceof Error ? e.message : String(e)}`)
      },
    )
    return built
  }
}
