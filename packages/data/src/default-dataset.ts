/**
 * The dataset a command uses when the user names none: Fashion-MNIST when it is installed, else the
 * embedded synthetic shapes, with a `note` the CLI prints so the choice is never silent. When the
 * user passes `--data <dir>` it must hold Fashion-MNIST: a missing or broken dataset there is an
 * error, never a quiet fallback; so is a broken (as opposed to absent) installed copy.
 */
import { type Either, right } from 'fp-ts/lib/Either.js'
import { type Key, fold, keyToString } from '@jepa-ts/core'
import type { DataError } from './data-error.ts'
import type { ImageDataset } from './dataset.ts'
import { DEBIAN_FASHION_MNIST_DIR, type FashionMnistSplit, findFashionMnist, loadFashionMnistFiles } from './fashion-mnist.ts'
import { syntheticShapes } from './synthetic-shapes.ts'

/** What `loadDefaultDataset` chose, and the sentence that says so. */
export interface ResolvedDataset {
  readonly dataset: ImageDataset
  readonly source: 'fashion-mnist' | 'synthetic-shapes'
  readonly note: string
}

/** Options of `loadDefaultDataset`. */
export interface DefaultDatasetOptions {
  /** The `--data` folder; when given, Fashion-MNIST must be there. */
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
  const files = findFashionMnist(split, options.dataPath, installedDir)
  if (files._tag === 'Right') {
    const loaded = loadFashionMnistFiles(files.right, split)
    if (loaded._tag === 'Left') return loaded
    return right({ dataset: loaded.right, source: 'fashion-mnist', note: `using Fashion-MNIST ${split} from ${files.right.dir}` })
  }
  if (options.dataPath !== undefined) return files
  const n = options.syntheticCount ?? (split === 'train' ? 8192 : 2048)
  const shapes = syntheticShapes(fold(options.key, `synthetic-shapes:${split}`), { n })
  if (shapes._tag === 'Left') return shapes
  const note = `Fashion-MNIST not found at ${installedDir}: using the embedded synthetic shapes dataset ` +
    `(${n} ${split} images of 32×32, key ${keyToString(options.key)}). For real data run \`apt-get install dataset-fashion-mnist\` or pass \`--data <dir>\`.`
  return right({ dataset: shapes.right, source: 'synthetic-shapes', note })
}
