/**
 * `jepa masks`: draw masks of any strategy over Fashion-MNIST images (or a blank canvas) to PNG or
 * SVG, and print what the collator produced.
 *
 * Contract: every bad option is reported naming its flag (`--grid`, `--seed`, `--out`, …) and exits
 * non-zero; settings given with `--settings '<json>'` are laid over the strategy's paper defaults and
 * decoded with the masks config codec, so their errors name the field (`masks.minKeep`). The picture
 * has one row per strategy (`--strategy all` draws all five) and one panel per image of the batch.
 *
 * @example
 * jepa masks --strategy multi-block --grid 14 --seed 3 --out masks.png
 * jepa masks --strategy all --grid 14 --seed 3 --image 0 --out docs/img/masks-strategies.svg
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { join } from 'node:path'
import { Command, InvalidArgumentError, Option } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import { keyOf, stream } from '@jepa-ts/core'
import { decodeMaskSettings, defaultSettings, formatGrid, maskCollator, parseGrid, renderMasks, rowOf, strategyNames, type GrayImage, type Grid, type MaskPanel, type StrategyName } from '@jepa-ts/masks'
import { encodePng, renderMasksSvg } from '@jepa-ts/masks/node'

/** Where Debian's dataset-fashion-mnist package puts the IDX files. */
export const defaultFashionDir = '/usr/share/datasets/fashion-mnist'

const nonNegativeInt = (flag: string) => (value: string): number => {
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError(`${flag}: expected a non-negative integer, got ${JSON.stringify(value)}`)
  return Number(value)
}
const positiveInt = (flag: string) => (value: string): number => {
  const n = nonNegativeInt(flag)(value)
  if (n < 1) throw new InvalidArgumentError(`${flag}: expected a positive integer, got ${JSON.stringify(value)}`)
  return n
}
const gridOption = (value: string): Grid => {
  const g = parseGrid(value)
  if (E.isLeft(g)) throw new InvalidArgumentError(`--grid: ${g.left}`)
  return g.right
}
const strategyOption = (value: string): StrategyName | 'all' => {
  if (value === 'all' || (strategyNames as readonly string[]).includes(value)) return value as StrategyName | 'all'
  throw new InvalidArgumentError(`--strategy: expected one of ${[...strategyNames, 'all'].join(', ')}, got ${JSON.stringify(value)}`)
}
const imageOption = (value: string): number | 'none' => (value === 'none' ? 'none' : nonNegativeInt('--image')(value))

/** Reads image `index` of an IDX3 file (gzipped or not): a 16-byte big-endian header, then uint8 pixels. */
export const readIdxImage = (file: string, index: number): E.Either<string, GrayImage> => {
  let bytes: Uint8Array
  try {
    const raw = readFileSync(file)
    bytes = file.endsWith('.gz') ? gunzipSync(raw) : raw
  } catch (e) {
    return E.left(`${file}: cannot read (${e instanceof Error ? e.message : String(e)})`)
  }
  if (bytes.length < 16) return E.left(`${file}: expected a 16-byte IDX header, got ${bytes.length} bytes`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const magic = view.getUint32(0)
  if (magic !== 0x00000803) return E.left(`${file}: expected IDX magic 0x00000803 (uint8, 3 dims), got 0x${magic.toString(16).padStart(8, '0')}`)
  const count = view.getUint32(4)
  const height = view.getUint32(8)
  const width = view.getUint32(12)
  if (index >= count) return E.left(`--image: index ${index} is outside the ${count} images of ${file}`)
  const start = 16 + index * height * width
  if (bytes.length < start + height * width) return E.left(`${file}: truncated (image ${index} would end at byte ${start + height * width}, file has ${bytes.length})`)
  return E.right({ width, height, data: bytes.subarray(start, start + height * width) })
}

interface MasksOptions {
  readonly strategy: StrategyName | 'all'
  readonly grid: Grid
  readonly seed: number
  readonly batch: number
  readonly image: number | 'none'
  readonly data: string
  readonly out: string
  readonly cell: number
  readonly gridLines: boolean
  readonly uncut: boolean
  readonly settings?: string
}

/** Registers `masks` on a commander program. */
export const register = (program: Command): void => {
  program
    .command('masks')
    .description('draw masks of a strategy over Fashion-MNIST images (or a blank canvas) to PNG or SVG')
    .option('--strategy <name>', `${strategyNames.join(' | ')} | all`, strategyOption, 'multi-block' as StrategyName | 'all')
    .addOption(new Option('--grid <HxW>', 'patch grid: 14 or 14x10 (height x width)').argParser(gridOption).default({ height: 14, width: 14 } as Grid, '14'))
    .option('--seed <n>', 'key seed of the batch', nonNegativeInt('--seed'), 0)
    .option('--batch <n>', 'images in the batch (one panel each)', positiveInt('--batch'), 4)
    .option('--image <index|none>', 'first Fashion-MNIST test image (panel b shows index + b), or none for a blank canvas', imageOption, 0 as number | 'none')
    .option('--data <dir>', 'folder with t10k-images-idx3-ubyte.gz', defaultFashionDir)
    .option('--settings <json>', 'strategy settings laid over the paper defaults, e.g. \'{"minKeep":4}\'')
    .option('--cell <px>', 'pixels per token', positiveInt('--cell'), 8)
    .option('--no-grid-lines', 'no lines between tokens')
    .option('--uncut', 'draw the sampled masks before the collator cuts them to the batch minimum')
    .requiredOption('--out <file>', 'output picture: .png or .svg')
    .action(function (this: Command, options: MasksOptions) {
      const fail: (message: string) => never = (message) => this.error(`error: ${message}`)
      const format = options.out.endsWith('.png') ? 'png' : options.out.endsWith('.svg') ? 'svg' : fail(`--out: expected a file ending in .png or .svg, got ${JSON.stringify(options.out)}`)
      let overrides: unknown = {}
      if (options.settings !== undefined) {
        try {
          overrides = JSON.parse(options.settings)
        } catch (e) {
          fail(`--settings: expected JSON, got ${JSON.stringify(options.settings)} (${e instanceof Error ? e.message : String(e)})`)
        }
        if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) fail(`--settings: expected a JSON object, got ${options.settings}`)
      }
      const images: Array<GrayImage | undefined> = []
      for (let b = 0; b < options.batch; b++) {
        if (options.image === 'none') {
          images.push(undefined)
          continue
        }
        const img = readIdxImage(join(options.data, 't10k-images-idx3-ubyte.gz'), options.image + b)
        if (E.isLeft(img)) fail(img.left)
        else images.push(img.right)
      }
      const strategies = options.strategy === 'all' ? strategyNames : [options.strategy]
      const panels: MaskPanel[] = []
      const summary: string[] = []
      // With `all`, each strategy takes the keys it knows; a key no strategy knows is still an error.
      const known = new Set(strategyNames.flatMap((n) => Object.keys(defaultSettings[n])))
      const unknown = Object.keys(overrides as object).filter((k) => !known.has(k))
      if (options.strategy === 'all' && unknown.length > 0) {
        fail(`--settings: unknown key "${unknown[0]}" for every strategy (known keys: ${[...known].filter((k) => k !== 'strategy').join(', ')})`)
      }
      for (const strategy of strategies) {
        const own = Object.entries(overrides as object).filter(([k]) => options.strategy !== 'all' || k in defaultSettings[strategy])
        const decoded = decodeMaskSettings({ ...defaultSettings[strategy], ...Object.fromEntries(own), strategy }, { grid: options.grid, source: '--settings' })
        if (E.isLeft(decoded)) fail(decoded.left.format())
                const collate = maskCollator(decoded.right, options.grid)
        if (E.isLeft(collate)) fail(collate.left.format())
        const m = collate.right(stream(keyOf(options.seed), 'mask'), options.batch)
        summary.push(
          `${strategy}: context ${m.contextIdx.shape[1]} tokens per image, ${m.targetIdx.length} target(s) × ${m.targetIdx[0]?.shape[1] ?? 0} tokens after cutting; ${m.relaxations.length} relaxation(s)`,
        )
        for (let b = 0; b < options.batch; b++) {
          const img = m.images[b]!
          const title = b === 0 ? strategy : ''
          const image = images[b]
          panels.push({
            grid: options.grid,
            context: options.uncut ? img.context : rowOf(m.contextIdx, b),
            targets: options.uncut ? img.targets : m.targetIdx.map((t) => rowOf(t, b)),
            title,
            ...(image === undefined ? {} : { image }),
          })
        }
      }
      const style = { cellSize: options.cell, columns: options.batch, gridLines: options.gridLines }
      try {
        if (format === 'png') writeFileSync(options.out, encodePng(renderMasks(panels, style)))
        else writeFileSync(options.out, renderMasksSvg(panels, style))
      } catch (e) {
        fail(`--out: cannot write ${options.out}: ${e instanceof Error ? e.message : String(e)}`)
      }
      const shown = options.image === 'none' ? 'blank canvas' : `Fashion-MNIST test images ${options.image}..${options.image + options.batch - 1}`
      const write = this.configureOutput().writeOut ?? ((text: string) => process.stdout.write(text))
      write(`wrote ${options.out} (${formatGrid(options.grid)} grid, seed ${options.seed}, batch ${options.batch}, ${shown})\n${summary.join('\n')}\n`)
    })
}

/** A stand-alone `jepa` program with only `masks` registered (for tests and scripts without the full CLI). */
export const masksProgram = (): Command => {
  const program = new Command().name('jepa')
  register(program)
  return program
}
