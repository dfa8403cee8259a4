/**
 * The dataset a command uses when the user names none: Fashion-MNIST when it is installed, else the
 * embedded synthetic shapes, with a `note` the CLI prints so the choice is never silent. When the
 * user passes `--data <dir>` it must hold Fashion-MNIST: a missing or broken dataset there is an
 * error, never a quiet fallback; so is a broken (as opposed to absent) installed copy. The
 * `dataPath` `'synthetic'` (`SYNTHETIC_DATA`) asks for the synthetic shapes outright — the set whose
 * count and position labels the low-level probes use.
 */
import { type Either, right } from 'fp-ts/lib/Either.js'
import { type Key, fold, keyToString } from '@jepa-ts/core'
import type { DataError } from './data-error.ts'
import type { ImageDataset } from './dataset.ts'
import { DEBIAN_FASHION_MNIST_DIR, type FashionMnistSplit, findFashionMnist, loadFashionMnistFiles } from './fashion-mnist.ts'
import { syntheticShapes } from './synthetic-shapes.ts'

/** The `--data` value that selects the embedded synthetic shapes instead of Fashion-MNIST. */
export const SYNTHETIC_DATA = 'synthetic'

/** What `loadDefaultDataset` chose, and the sentence that says so. */
export interface ResolvedDataset {
  readonly dataset: ImageDataset
  readonly source: 'fashion-mnist' | 'synthetic-shapes'
  readonly note: string
}

/** Options of `loadDefaultDataset`. */
export interface DefaultDatasetOptions {
  /** The `--data` folder; when given, Fashion-MNIST must be there (`'synthetic'`: the synthetic shapes). */
  readonly dataPath?: string
  /** The key the synthetic fallback is generated from (split-specific streams are folded in). */
  readonly key: Key
  /** Where an installed Fashion-MNIST is looked for (default: Debian's path). */
  readonly installedDir?: string
  /** Images in the synthetic fallback (default 8192 for train, 2048 for test). */
  readonly syntheticCount?: number
}

/** Fashion-MNIST from `dataPath` or Debian's path, else synthetic shapes (and a note saying so). */
export const loadDefaultDataset = (split: FashionMnistSplit, options: DefaultDatasetOptions): Either<DataError, ResolvedDataset> => {
  const installedDir = options.installedDir ?? DEBIAN_FASHION_MNIST_DIR
  if (options.dataPath === SYNTHETIC_DATA) return synthetic(split, options, 'as asked (--data synthetic)')
  const files = findFashionMnist(split, options.dataPath, installedDir)
  if (files._tag === 'Right') {
    const loaded = loadFashionMnistFiles(files.right, split)
    if (loaded._tag === 'Left') return loaded
    return right({ dataset: loaded.right, source: 'fashion-mnist', note: `using Fashion-MNIST ${split} from ${files.right.dir}` })
  }
  if (options.dataPath !== undefined) return files
  return synthetic(split, options, `Fashion-MNIST not found at ${installedDir}`)
}

/** The synthetic shapes split, with the note that says why and how to get real data. */
const synthetic = (split: FashionMnistSplit, options: DefaultDatasetOptions, why: string): Either<DataError, ResolvedDataset> => {
  const n = options.syntheticCount ?? (split === 'train' ? 8192 : 2048)
  const shapes = syntheticShapes(fold(options.key, `synthetic-shapes:${split}`), { n })
  if (shapes._tag === 'Left') return shapes
  const note = `${why}: using the embedded synthetic shapes dataset (${n} ${split} images of 32×32, key ${keyToString(options.key)}). ` +
    'For real data run `apt-get install dataset-fashion-mnist` or pass `--data <dir>`.'
  return right({ dataset: shapes.right, source: 'synthetic-shapes', note })
}
