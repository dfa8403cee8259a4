/**
 * The playground page (`/playground`): trains the tiny I-JEPA or MAE of `trainer.ts` in the
 * browser on the images the server sends (`/api/playground/images`), drawing each step's masks
 * over its first image, the loss curve and the kNN top-1 as they come. Bundled by esbuild
 * (playground-bundle.ts) with our browser-safe packages and tfjs; the charts are vega-lite views
 * (the vega, vega-lite and vega-embed globals the page loads from /vendor) fed by changesets.
 *
 * URL parameters (all optional): `family` ijepa | mae; `train`, `test` image counts (2000, 500);
 * `batch` (32); `steps` where training stops (300; 0 = until Stop); `knnEvery` steps between
 * kNN scores (25; 0 = none); `backend` webgpu | webgl | cpu to ask for one; `autostart` 1.
 * State for tests and people: `#pg-status` carries data-steps, data-backend and data-state
 * (idle | training | done | error); `#pg-log` carries data-losses and data-knn (JSON arrays).
 */
import * as tf from '@tensorflow/tfjs'
import { type BackendName, BACKEND_ORDER, pickBackend } from './backend.ts'
import { type PlaygroundFamily, type PlaygroundImages, type PlaygroundTrainer, type StepReport, SIDE, playgroundTrainer } from './trainer.ts'
// type only (erased from the browser bundle): the reply shape the server's /api/playground/images writes
import type { PlaygroundImagesReply } from '../playground-data.ts'

interface VegaView {
  change(name: string, changes: unknown): VegaView
  runAsync(): Promise<VegaView>
  finalize(): void
}
declare const vegaEmbed: (el: HTMLElement, spec: object, options?: object) => Promise<{ readonly view: VegaView }>
declare const vega: { changeset(): { insert(values: readonly object[]): unknown; remove(f: () => boolean): { insert(values: readonly object[]): unknown } }; readonly Error: number }

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const node = document.getElementById(id)
  if (node === null) throw new Error(`playground: the page has no #${id}`)
  return node as T
}

/** A positive or zero integer URL parameter within [min, max], else the fallback (the page says which it used). */
const intParam = (params: URLSearchParams, name: string, min: number, max: number, fallback: number): number => {
  const text = params.get(name)
  if (text === null) return fallback
  const v = Number(text)
  if (!(Number.isInteger(v) && v >= min && v <= max)) throw new Error(`${name}: expected an integer in ${min}..${max}, got ${JSON.stringify(text)}`)
  return v
}

interface Settings {
  readonly family: PlaygroundFamily
  readonly train: number
  readonly test: number
  readonly batch: number
  readonly steps: number
  readonly knnEvery: number
  readonly backends: readonly BackendName[]
  readonly autostart: boolean
}

const settingsOf = (params: URLSearchParams): Settings => {
  const family = params.get('family') ?? 'ijepa'
  if (family !== 'ijepa' && family !== 'mae') throw new Error(`family: expected ijepa or mae, got ${JSON.stringify(family)}`)
  const backend = params.get('backend')
  const asked = BACKEND_ORDER.find((b) => b === backend)
  if (backend !== null && asked === undefined) throw new Error(`backend: expected one of ${BACKEND_ORDER.join(', ')}, got ${JSON.stringify(backend)}`)
  const train = intParam(params, 'train', 64, 5000, 2000)
  return {
    family,
    train,
    test: intParam(params, 'test', 16, 5000, 500),
    batch: intParam(params, 'batch', 1, Math.min(256, train), 32),
    steps: intParam(params, 'steps', 0, 1_000_000, 300),
    knnEvery: intParam(params, 'knnEvery', 0, 1_000_000, 25),
    backends: asked === undefined ? BACKEND_ORDER : [asked, ...BACKEND_ORDER.filter((b) => b !== asked)],
    autostart: params.get('autostart') === '1',
  }
}


const fetchImages = async (split: 'train' | 'test', count: number): Promise<PlaygroundImages & { readonly name: string }> => {
  const res = await fetch(`/api/playground/images?split=${split}&count=${count}`)
  const body = (await res.json()) as PlaygroundImagesReply | { readonly error: string }
  if (!res.ok || 'error' in body) throw new Error('error' in body ? body.error : `${res.status} ${res.statusText}`)
  const bytes = Uint8Array.from(atob(body.pixels), (c) => c.charCodeAt(0))
  return { name: body.name, count: body.count, height: body.height, width: body.width, pixels: bytes, labels: Int32Array.from(body.labels), classNames: body.classNames }
}

// ---------------------------------------------------------------- drawing

const SCALE = 8
const TARGET_COLOURS = ['#e4572e', '#f3a712', '#29bf12', '#a72bd3', '#ff5fa2', '#00a6a6']

/** The step's first image with its masks: I-JEPA context blue, target blocks outlined in colour, unused tokens dimmed; MAE removed patches grey. */
const drawMasks = (canvas: HTMLCanvasElement, r: StepReport, grid: readonly [number, number]): void => {
  const ctx = canvas.getContext('2d')
  if (ctx === null) return
  const image = new ImageData(SIDE, SIDE)
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = Math.round(r.image[i]! * 255)
    image.data.set([v, v, v, 255], i * 4)
  }
  const small = new OffscreenCanvas(SIDE, SIDE)
  small.getContext('2d')?.putImageData(image, 0, 0)
  ctx.imageSmoothingEnabled = false
  ctx.drawImage(small, 0, 0, SIDE * SCALE, SIDE * SCALE)
  const cell = (SIDE / grid[1]) * SCALE
  const at = (t: number): readonly [number, number] => [(t % grid[1]) * cell, Math.floor(t / grid[1]) * cell]
  const fill = (tokens: readonly number[], style: string): void => {
    ctx.fillStyle = style
    for (const t of tokens) ctx.fillRect(...at(t), cell, cell)
  }
  if (r.masks.kind === 'mae') {
    fill(r.masks.removed, 'rgba(110, 110, 110, 0.85)')
    return
  }
  const seen = new Set([...r.masks.context, ...r.masks.targets.flat()])
  fill(Array.from({ length: grid[0] * grid[1] }, (_, t) => t).filter((t) => !seen.has(t)), 'rgba(0, 0, 0, 0.6)')
  fill(r.masks.context, 'rgba(40, 110, 255, 0.35)')
  r.masks.targets.forEach((block, i) => {
    const colour = TARGET_COLOURS[i % TARGET_COLOURS.length]!
    ctx.strokeStyle = colour
    ctx.lineWidth = 2
    for (const t of block) ctx.strokeRect(at(t)[0] + 2 + i, at(t)[1] + 2 + i, cell - 4 - 2 * i, cell - 4 - 2 * i)
  })
}

const lineSpec = (name: string, y: string, title: string, log: boolean): object => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title, width: 'container', height: 160, autosize: { type: 'fit-x', contains: 'padding' }, padding: { left: 8, right: 8, top: 4, bottom: 4 },
  data: { name },
  mark: { type: 'line', point: name === 'knn', tooltip: true },
  encoding: {
    x: { field: 'step', type: 'quantitative' },
    y: { field: y, type: 'quantitative', title: y, scale: log ? { type: 'log' } : { zero: false }, axis: { minExtent: 44, ...(name === 'knn' ? { format: '.1%' } : {}) } },
  },
})

const EMBED_OPTIONS = { actions: false, renderer: 'svg', logLevel: vega.Error }

// ---------------------------------------------------------------- the page

const status = (): HTMLElement => $('pg-status')
const log = (): HTMLElement => $('pg-log')

const show = (text: string, state: 'idle' | 'training' | 'done' | 'error'): void => {
  status().textContent = text
  status().dataset['state'] = state
  status().classList.toggle('error', state === 'error')
}

const start = async (): Promise<void> => {
  const settings = settingsOf(new URLSearchParams(location.search))
  $<HTMLSelectElement>('pg-family').value = settings.family
  show('choosing a backend…', 'idle')
  const backend = await pickBackend(settings.backends)
  status().dataset['backend'] = backend.name
  $('pg-backend').textContent = backend.name === 'cpu'
    ? 'cpu — this browser has neither WebGPU nor WebGL here, so tfjs runs on the CPU (slow)'
    : backend.name === 'webgl' ? 'webgl (WebGPU not available here)' : 'webgpu'
  $('pg-backend').dataset['backend'] = backend.name
  $('pg-backend').title = backend.skipped.join('\n')
  show(`loading ${settings.train} train and ${settings.test} test images…`, 'idle')
  const [train, test] = await Promise.all([fetchImages('train', settings.train), fetchImages('test', settings.test)])
  $('pg-data').textContent = `${train.count} images of ${train.name}, kNN scored on ${test.count} of ${test.name}`
  const [lossChart, knnChart] = await Promise.all([
    vegaEmbed($('pg-loss'), lineSpec('losses', 'loss', 'training loss', true), EMBED_OPTIONS),
    vegaEmbed($('pg-knn'), lineSpec('knn', 'top1', 'kNN top-1 (k = 20) on test images', false), EMBED_OPTIONS),
  ])
  const losses: number[] = []
  const knn: Array<{ readonly step: number; readonly top1: number }> = []
  let trainer: PlaygroundTrainer | undefined
  let running = false

  const score = async (step: number): Promise<void> => {
    if (trainer === undefined) return
    const top1 = await trainer.knn()
    knn.push({ step, top1 })
    log().dataset['knn'] = JSON.stringify(knn)
    $('pg-knn-value').textContent = `kNN top-1 at step ${step}: ${(top1 * 100).toFixed(1)}%`
    await knnChart.view.change('knn', vega.changeset().insert([{ step, top1 }])).runAsync()
  }

  const reset = (family: PlaygroundFamily): void => {
    trainer?.dispose()
    losses.length = 0
    knn.length = 0
    log().dataset['losses'] = '[]'
    log().dataset['knn'] = '[]'
    status().dataset['steps'] = '0'
    void lossChart.view.change('losses', vega.changeset().remove(() => true).insert([])).runAsync()
    void knnChart.view.change('knn', vega.changeset().remove(() => true).insert([])).runAsync()
    trainer = playgroundTrainer({ family, train, test, batchSize: settings.batch, totalSteps: Math.max(settings.steps, 100) })
  }

  const loop = async (): Promise<void> => {
    while (running && trainer !== undefined && (settings.steps === 0 || losses.length < settings.steps)) {
      const r = trainer.step()
      losses.push(r.loss)
      status().dataset['steps'] = String(r.step)
      log().dataset['losses'] = JSON.stringify(losses)
      drawMasks($<HTMLCanvasElement>('pg-masks'), r, trainer.grid)
      show(`${trainer.family.name} on ${backend.name}: step ${r.step}, loss ${r.loss.toFixed(4)}, ${tf.memory().numTensors} tensors`, 'training')
      await lossChart.view.change('losses', vega.changeset().insert([{ step: r.step, loss: r.loss }])).runAsync()
      if (settings.knnEvery > 0 && r.step % settings.knnEvery === 0) await score(r.step)
      await tf.nextFrame()
    }
    if (running) {
      running = false
      $('pg-start').textContent = 'Train'
      show(`${trainer?.family.name ?? ''} on ${backend.name}: stopped at step ${losses.length}, loss ${losses.at(-1)?.toFixed(4) ?? '—'}`, 'done')
    }
  }

  const run = (): void => {
    running = true
    $('pg-start').textContent = 'Stop'
    loop().catch((e: unknown) => {
      running = false
      show(`training failed: ${e instanceof Error ? e.message : String(e)}`, 'error')
    })
  }

  reset(settings.family)
  await score(0)
  show(`ready: ${settings.family} on ${backend.name}`, 'idle')
  $<HTMLButtonElement>('pg-start').disabled = false
  $('pg-start').addEventListener('click', () => {
    if (running) running = false
    else run()
  })
  $('pg-family').addEventListener('change', () => {
    running = false
    reset($<HTMLSelectElement>('pg-family').value === 'mae' ? 'mae' : 'ijepa')
    void score(0)
  })
  if (settings.autostart) run()
}

start().catch((e: unknown) => show(`playground: ${e instanceof Error ? e.message : String(e)}`, 'error'))
