/**
 * What `jepa train`, `eval` and `compare` share about data: `loadSplit(split, dataPath)` —
 * Fashion-MNIST from `--data` or Debian's install, else the embedded synthetic shapes (with the note
 * to print), generated from one fixed key so every run and every command sees the same images.
 * Features, fixed samples and the representation monitor are @jepa-ts/eval/node's.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Key, keyOf } from '@jepa-ts/core'
import { type ResolvedDataset, loadDefaultDataset } from '@jepa-ts/data'

/** The key the synthetic fallback dataset is generated from (fixed: every run sees the same images). */
export const DATASET_KEY: Key = keyOf(20240601)

/** One split of the default dataset, or the reason it cannot be loaded. */
export const loadSplit = (split: 'train' | 'test', dataPath: string | undefined): E.Either<string, ResolvedDataset> => {
  const r = loadDefaultDataset(split, dataPath === undefined ? { key: DATASET_KEY } : { key: DATASET_KEY, dataPath })
  return E.isLeft(r) ? E.left(r.left.message) : r
}
