/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, https://arxiv.org/abs/1708.07747) from its four IDX
 * files, gzipped or not: 60 000 train and 10 000 test images of 28×28×1 with a `class` label in
 * 0..9. Found in `--data <dir>` when given, else at Debian's path (package `dataset-fashion-mnist`).
 * A missing file, a bad header, truncated data or images and labels of different counts are each a
 * `DataError` naming the file; nothing is silently skipped.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type Either, left, right } from 'fp-ts/lib/Either.js'
import { type DataError, dataError } from './data-error.ts'
import { type ImageDataset, checkDataset } from './dataset.ts'
import { readIdx } from './idx.ts'

/** Where Debian's `dataset-fashion-mnist` package installs the files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist'

/** The ten class names, in label order. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
]

/** A split of the dataset. */
export type FashionMnistSplit = 'train' | 'test'

/** The resolved paths of one split's two files. */
export interface FashionMnistFiles {
  readonly dir: string
  readonly images: string
  readonly labels: string
}

const stem = (split: FashionMnistSplit): string => (split === 'train' ? 'train' : 't10k')

/** Finds a file as `<name>.gz` or `<name>`; the candidates tried, for error messages. */
const findOne = (dir: string, name: string): { readonly path?: string; readonly tried: string[] } => {
  const tried = [join(dir, `${name}.gz`), join(dir, name)]
  const path = tried.find((p) => existsSync(p))
  return path === undefined ? { tried } : { path, tried }
}

/**
 * Finds the files of a split in `dataPath` (when given) or in `installedDir` (Debian's path by
 * default). The error says exactly which paths were tried and how to get the data.
 */
export const findFashionMnist = (
  split: FashionMnistSplit = 'train',
  dataPath?: string,
  installedDir: string = DEBIAN_FASHION_MNIST_DIR,
): Either<DataError, FashionMnistFiles> => {
  const dir = dataPath ?? installedDir
  const images = findOne(dir, `${stem(split)}-images-idx3-ubyte`)
  const labels = findOne(dir, `${stem(split)}-labels-idx1-ubyte`)
  if (images.path !== undefined && labels.path !== undefined) return right({ dir, images: images.path, labels: labels.path })
  const missing = [...(images.path === undefined ? images.tried : []), ...(labels.path === undefined ? labels.tried : [])]
  const hint = dataPath === undefined
    ? 'install it with `apt-get install dataset-fashion-mnist` or pass `--data <dir>` with the IDX files'
    : `put the IDX files (gzipped or not) in ${dataPath}, or leave out --data to use ${installedDir} (apt-get install dataset-fashion-mnist)`
  return left(dataError({ file: dir, field: `Fashion-MNIST ${split}` }, `the IDX files ${missing.join(' or ')}`, 'no such file', hint))
}

/** Loads a split from explicit file paths (no search). */
export const loadFashionMnistFiles = (files: FashionMnistFiles, split: FashionMnistSplit): Either<DataError, ImageDataset> => {
  const images = readIdx(files.images, 3)
  if (images._tag === 'Left') return images
  const labels = readIdx(files.labels, 1)
  if (labels._tag === 'Left') return labels
  const [n, height, width] = images.right.dims as [number, number, number]
  const labelCount = labels.right.dims[0]!
  if (labelCount !== n) {
    return left(dataError({ file: files.labels, field: 'dims[0]' }, `${n} labels, one per image of ${files.images}`, `${labelCount} labels`))
  }
  const cls = Int32Array.from(labels.right.data)
  for (let i = 0; i < n; i++) {
    if (cls[i]! >= FASHION_MNIST_CLASSES.length) {
      return left(dataError({ file: files.labels, field: `labels[${i}]` }, `a class in 0..${FASHION_MNIST_CLASSES.length - 1}`, String(cls[i])))
    }
  }
  return checkDataset({
    name: `fashion-mnist/${split}`,
    height,
    width,
    channels: 1,
    size: n,
    images: images.right.data,
    labels: { class: cls },
    classNames: { class: FASHION_MNIST_CLASSES },
  })
}

/** Loads the `train` or `test` split from `dataPath` or Debian's path. */
export const loadFashionMnist = (split: FashionMnistSplit, dataPath?: string): Either<DataError, ImageDataset> => {
  const files = findFashionMnist(split, dataPath)
  return files._tag === 'Left' ? files : loadFashionMnistFiles(files.right, split)
}
