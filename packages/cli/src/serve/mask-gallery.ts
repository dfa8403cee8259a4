/**
 * The mask gallery of an I-JEPA run: the masks its collator drew at training step `step`, over
 * that step's images, as an SVG picture (the masks package's renderer).
 *
 *   maskGallery(runDir, step, count, data) → Right({ svg, family, grid, contextTokens, targetTokens }) | Left(failure)
 *
 * Contract: the run's config, key and batch size come from its checkpoint's metadata (so a run
 * shows its masks once it wrote a first checkpoint). Step `step` (1-based, as in metrics.jsonl)
 * reproduces the loop exactly: the collator of the decoded config (`maskCollator(config.masks,
 * patch grid)`) called with `stream(stepKey(runKey, step − 1), 'mask')` for the run's batch size,
 * the masks the family's step drew; the images are the batch of that step (`batchAt` of the
 * run's data key), padded like in training, when the served dataset is the one the run trained
 * on, and a blank canvas otherwise. The first `count` images of the batch are drawn. A run whose
 * family has no mask collator (its model config is not an I-JEPA config) is a 400 saying so.
 */
import * as E from 'fp-ts/lib/Either.js'
import { keyFromString, stream } from '@jepa-ts/core'
import { batchAt, toBatchArray } from '@jepa-ts/data'
import { type GrayImage, type MaskPanel, grid as gridOf, maskCollator, rowOf } from '@jepa-ts/masks'
import { renderMasksSvg } from '@jepa-ts/masks/node'
import { decodeIjepaConfig, patchGrid } from '@jepa-ts/ssl'
import { stepKey } from '@jepa-ts/train/node'
import { defaultFamilies } from '../commands/families.ts'
import { configOfCheckpoint } from '../commands/eval.ts'
import type { ServedData } from './datasets.ts'
import { type HttpFailure, badRequest } from './http.ts'
import { runCheckpoint } from './run-checkpoint.ts'

export interface MaskGallery {
  readonly svg: string
  readonly family: string
  /** The step whose masks are drawn, and the last step of the checkpoint. */
  readonly step: number
  readonly checkpointStep: number
  readonly contextTokens: number
  readonly targetTokens: number
  readonly targetBlocks: number
  readonly images: 'batch' | 'blank'
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The gallery of one step (see the module contract). */
export const maskGallery = async (runDir: string, step: number, count: number, data: ServedData): Promise<E.Either<HttpFailure, MaskGallery>> => {
  const read = await runCheckpoint(runDir, 'so its mask settings are unknown')
  if (E.isLeft(read)) return read
  const { path: checkpoint, file } = read.right
  const model = isRecord(file.meta.config) ? file.meta.config['model'] : undefined
  const config = decodeIjepaConfig(model, 'model')
  if (E.isLeft(config)) return E.left(badRequest(`run: ${file.meta.family} has no mask collator; the mask gallery is for I-JEPA runs`))
  const run = await configOfCheckpoint(checkpoint, file.meta, defaultFamilies)
  if (E.isLeft(run)) return E.left({ status: 500, message: run.left })
  const [gh, gw] = patchGrid(config.right)
  const g = gridOf(gh, gw)
  const collate = maskCollator(config.right.masks, g)
  if (E.isLeft(collate)) return E.left({ status: 500, message: collate.left.format() })
  const key = keyFromString(file.meta.key)
  const batchSize = run.right.train.batchSize
  const masks = collate.right(stream(stepKey(key, step - 1), 'mask'), batchSize)
  const served = data.get()
  const dataset = E.isRight(served) && served.right.train.name === file.meta.dataset ? served.right.train : undefined
  const [h, w] = config.right.image
  const images: Array<GrayImage | undefined> = Array.from({ length: Math.min(count, batchSize) }, () => undefined)
  if (dataset !== undefined && dataset.channels === 1 && dataset.height <= h && dataset.width <= w && h === w) {
    const indices = batchAt(stream(key, 'data'), dataset.size, batchSize, step - 1, { dropLast: true })
    const picked = Array.from(indices.subarray(0, images.length))
    const { data: pixels } = toBatchArray(dataset, picked, h === dataset.height ? {} : { padTo: h })
    for (let b = 0; b < picked.length; b++) images[b] = { width: w, height: h, data: Array.from(pixels.subarray(b * h * w, (b + 1) * h * w), (v) => v * 255) }
  }
  const panels: MaskPanel[] = images.map((image, b) => ({
    grid: g, context: rowOf(masks.contextIdx, b), targets: masks.targetIdx.map((t) => rowOf(t, b)), title: `image ${b}`,
    ...(image === undefined ? {} : { image }),
  }))
  return E.right({
    svg: renderMasksSvg(panels, { cellSize: Math.max(6, Math.floor(96 / Math.max(gh, gw))), columns: panels.length }),
    family: run.right.familyName,
    step,
    checkpointStep: file.meta.step,
    contextTokens: masks.contextIdx.shape[1],
    targetTokens: masks.targetIdx[0]?.shape[1] ?? 0,
    targetBlocks: masks.targetIdx.length,
    images: images.some((i) => i !== undefined) ? 'batch' : 'blank',
  })
}
