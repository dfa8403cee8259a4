/**
 * Param trees as safetensors files (node side): `saveParams` writes atomically (`atomicWriteFile`);
 * `loadParams` reads a tree; `loadParamsInto` reads one that must match a template exactly (names,
 * shapes, dtypes) or returns a `ParamsMismatchError`. They return `Either`; they do not throw for
 * bad files or failed writes.
 */
import { readFile } from 'node:fs/promises'
import * as E from 'fp-ts/lib/Either.js'
import type { ParamTree } from '../tree.ts'
import { paramsFromSafetensors, paramsFromSafetensorsInto, paramsToSafetensors } from '../io/params-file.ts'
import { type ParamsMismatchError, type SafetensorsError, safetensorsError } from '../io/safetensors-error.ts'
import { atomicWriteFile } from './atomic-write.ts'

const readBytes = async (path: string): Promise<E.Either<SafetensorsError, Uint8Array>> => {
  try {
    return E.right(await readFile(path))
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e)
    return E.left(safetensorsError(path, undefined, 'file', 'a readable safetensors file', reason))
  }
}

/** Writes a param tree to `path` atomically. */
export const saveParams = async (
  path: string,
  tree: ParamTree,
  metadata?: Readonly<Record<string, string>>,
): Promise<E.Either<SafetensorsError, void>> => {
  let bytes: Uint8Array
  try {
    bytes = paramsToSafetensors(tree, metadata)
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e)
    return E.left(safetensorsError(path, undefined, 'params', 'float32 or int32 tensors whose data matches their shape', reason))
  }
  try {
    await atomicWriteFile(path, bytes)
    return E.right(undefined)
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e)
    return E.left(safetensorsError(path, undefined, 'write', 'the file to be written', reason))
  }
}

/** Reads a param tree from a safetensors file. */
export const loadParams = async (path: string): Promise<E.Either<SafetensorsError, ParamTree>> => {
  const bytes = await readBytes(path)
  return E.isLeft(bytes) ? bytes : paramsFromSafetensors(bytes.right, path)
}

/** Reads a param tree from a file that must match `template` exactly (names, shapes, dtypes). */
export const loadParamsInto = async (
  path: string,
  template: ParamTree,
): Promise<E.Either<SafetensorsError | ParamsMismatchError, ParamTree>> => {
  const bytes = await readBytes(path)
  return E.isLeft(bytes) ? bytes : paramsFromSafetensorsInto(bytes.right, template, path)
}
