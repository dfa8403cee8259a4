/**
 * `openTorchFile(path)`: the restricted `torch.save` reader of `@jepa-ts/core` over a file on disk,
 * read lazily one tensor at a time (node side). Errors name the file; the caller closes the result.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { RandomAccessSource } from '../io/random-access.ts'
import { type TorchFileError, torchFileError } from '../io/torch-error.ts'
import { type TorchFile, openTorchSource } from '../io/torch-file.ts'
import { fileSource } from './file-source.ts'

/** Opens a torch.save file from disk; the caller closes it. */
export const openTorchFile = (path: string): E.Either<TorchFileError, TorchFile> => {
  let src: RandomAccessSource
  try {
    src = fileSource(path)
  } catch (e) {
    return E.left(torchFileError(path, 'file', 'a readable torch.save file', e instanceof Error ? e.message : String(e)))
  }
  const opened = openTorchSource(src)
  if (E.isLeft(opened)) src.close()
  return opened
}
