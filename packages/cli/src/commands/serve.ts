/**
 * `jepa serve [runs-dir]`: a local, read-only web page over a runs folder (default `runs/`): the
 * comparison tables of every results.json and sweep.json, live training curves from each run's
 * metrics.jsonl, and nearest neighbours under a run's encoder (packages/cli/src/serve/).
 *
 * Contract: binds 127.0.0.1 unless `--host` says otherwise; `--port 0` picks a free port; prints
 * the URL on stdout and serves until SIGINT or SIGTERM (Ctrl-C), then closes and exits 0. Exit 2
 * for bad input (a missing folder, a port in use, a backend that cannot start), with the reason.
 *
 * @example
 * jepa serve runs --port 8080
 */
import { type Command, InvalidArgumentError } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import { type CommandIo, EXIT, activateBackend, consoleIo, parsers } from './train.ts'
import { DEFAULT_TRAIN_SAMPLE, startServer } from '../serve/server.ts'

export interface ServeCommandOptions {
  readonly host: string
  readonly port: number
  readonly data?: string
  readonly backend?: string
  readonly trainSample?: number
}

/** Resolves on the first SIGINT or SIGTERM. */
const untilInterrupted = (): Promise<string> =>
  new Promise((resolve) => {
    const stop = (signal: string) => () => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      resolve(signal)
    }
    const onInt = stop('SIGINT')
    const onTerm = stop('SIGTERM')
    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)
  })

/** Runs `jepa serve` until `stopped` resolves (by default: Ctrl-C); returns the exit code. */
export const runServe = async (root: string, options: ServeCommandOptions, io: CommandIo = consoleIo, stopped: () => Promise<string> = untilInterrupted): Promise<number> => {
  const backend = await activateBackend(options.backend, io)
  if (E.isLeft(backend)) {
    io.err(`jepa serve: ${backend.left}`)
    return EXIT.badInput
  }
  let server
  try {
    server = await startServer({
      root, host: options.host, port: options.port,
      ...(options.data === undefined ? {} : { dataPath: options.data }),
      trainSample: options.trainSample ?? DEFAULT_TRAIN_SAMPLE,
      onError: (e) => io.err(`jepa serve: ${e instanceof Error ? e.stack ?? e.message : String(e)}`),
    })
  } catch (e) {
    io.err(e instanceof Error ? e.message : String(e))
    return EXIT.badInput
  }
  io.out(`jepa serve: ${root} at ${server.url} (read-only; Ctrl-C stops)`)
  const signal = await stopped()
  await server.close()
  io.err(`jepa serve: stopped (${signal})`)
  return EXIT.ok
}

const portOption = (value: string): number => {
  const n = parsers.nonNegativeInt('--port')(value)
  if (n > 65535) throw new InvalidArgumentError(`--port expects 0..65535, got "${value}"`)
  return n
}

export const register = (program: Command): void => {
  program
    .command('serve')
    .description('a local read-only web page over a runs folder: comparison tables, live training curves, nearest neighbours')
    .argument('[runs-dir]', 'the runs folder', 'runs')
    .option('--host <host>', 'address to bind (default: this machine only)', '127.0.0.1')
    .option('--port <n>', 'port (0 = any free port)', portOption, 8080)
    .option('--data <dir>', 'Fashion-MNIST IDX folder, or "synthetic" (the images of the neighbour view; default: Debian\'s install, else synthetic shapes)')
    .option('--backend <name>', 'auto | native | wasm | cpu | webgpu | tensorflow (computes the neighbour features)', 'auto')
    .option('--train-sample <n>', `train images searched for neighbours (default ${DEFAULT_TRAIN_SAMPLE})`, parsers.positiveInt('--train-sample'))
    .action(async (root: string, options: ServeCommandOptions) => {
      process.exitCode = await runServe(root, options)
    })
}
