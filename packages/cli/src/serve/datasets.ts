/**
 * The labeled splits the server shows and searches: loaded once, on first use, by the same
 * `loadSplit` as `jepa eval` (so `--data` means the same thing), then kept.
 *
 *   servedData(dataPath).get() → Right({ train, test, field }) | Left(message)
 *   labelName(dataset, field, index) → 'T-shirt/top'
 */
import * as E from 'fp-ts/lib/Either.js'
import type { ImageDataset } from '@jepa-ts/data'
import { loadSplit } from '../commands/train-dataset.ts'

export interface ServedSplits {
  readonly train: ImageDataset
  readonly test: ImageDataset
  /** The label field shown beside each image (the dataset's first). */
  readonly field: string | undefined
}

export interface ServedData {
  readonly get: () => E.Either<string, ServedSplits>
}

/** The splits of `dataPath` (Debian's Fashion-MNIST or the synthetic shapes when undefined), loaded lazily. */
export const servedData = (dataPath: string | undefined): ServedData => {
  let loaded: E.Either<string, ServedSplits> | undefined
  return {
    get: () => {
      if (loaded !== undefined) return loaded
      const train = loadSplit('train', dataPath)
      const test = loadSplit('test', dataPath)
      loaded = E.isLeft(train) ? train : E.isLeft(test) ? test : E.right({ train: train.right.dataset, test: test.right.dataset, field: Object.keys(train.right.dataset.labels)[0] })
      return loaded
    },
  }
}

/** The class name of image `index` (its number when the dataset names no classes). */
export const labelName = (dataset: ImageDataset, field: string | undefined, index: number): string => {
  if (field === undefined) return ''
  const value = dataset.labels[field]?.[index]
  if (value === undefined) return ''
  return dataset.classNames[field]?.[value] ?? String(value)
}
