/**
 * Param trees as safetensors bytes, named by dotted state_dict paths.
 *
 * Contract: a leaf at `blocks.0.attn.qkv.weight` is the tensor of that name in the file; float32
 * leaves are written as F32 and int32 leaves as I32 (other dtypes are refused, naming the path).
 * Reading gives a new tree (the caller owns and disposes its tensors); when reading fails, no tensor
 * is left allocated. The file functions (`saveParams`, atomic; `loadParams`, `loadParamsInto`) are
 * in `@jepa-ts/core/node`. `paramsFromSafetensorsInto` checks
 * the bytes against a template tree — every template path present with the same shape and dtype, no
 * extra names — and returns the loaded tree in the template's order, or a `ParamsMismatchError`
 * listing the missing, unexpected and mis-shaped names (how a checkpoint of another architecture is
 * refused).
 *
 * @example
 * import * as tf from '@tensorflow/tfjs'
 * import * as E from 'fp-ts/lib/Either.js'
 * import { paramsToSafetensors, paramsFromSafetensors, disposeTree } from '@jepa-ts/core'
 * const tree = { blocks: { 0: { weight: tf.ones([2, 3]) } } }
 * const back = paramsFromSafetensors(paramsToSafetensors(tree, { step: '0' }))
 * console.assert(E.isRight(back))
 * if (E.isRight(back)) disposeTree(back.right)
 * disposeTree(tree)
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type ParamTree, flatten, unflatten } from '../tree.ts'
import { type DecodedTensor, type HostTensor, decodeSafetensors, encodeSafetensors } from './safetensors.ts'
import { type ParamsMismatchError, type SafetensorsError, safetensorsError } from './safetensors-error.ts'

const showShape = (shape: ReadonlyArray<number>): string => `[${shape.join(', ')}]`

const tfDtypeOf = (t: DecodedTensor): 'float32' | 'int32' => (t.dtype === 'F32' ? 'float32' : 'int32')

/** Host copies of a tree's leaves, keyed by dotted path; throws naming a leaf of unsupported dtype. */
export const treeToHostTensors = (tree: ParamTree): Record<string, HostTensor> => {
  const out: Record<string, HostTensor> = {}
  for (const [path, tensor] of flatten(tree)) {
    if (tensor.dtype === 'float32') out[path] = { dtype: 'F32', shape: tensor.shape, data: tensor.dataSync<'float32'>() as Float32Array }
    else if (tensor.dtype === 'int32') out[path] = { dtype: 'I32', shape: tensor.shape, data: tensor.dataSync<'int32'>() as Int32Array }
    else throw new TypeError(`paramsToSafetensors: param "${path}" has dtype ${tensor.dtype}; only float32 and int32 params can be saved`)
  }
  return out
}

/** Serializes a param tree (float32/int32 leaves) to safetensors bytes. */
export const paramsToSafetensors = (tree: ParamTree, metadata?: Readonly<Record<string, string>>): Uint8Array =>
  encodeSafetensors(treeToHostTensors(tree), metadata)

const toTensor = (t: DecodedTensor): tf.Tensor => tf.tensor(t.data, [...t.shape], tfDtypeOf(t))

/** Builds a tree from `[name, tensor]` pairs, disposing everything if the names do not form a tree. */
const buildTree = (
  source: string,
  entries: ReadonlyArray<readonly [string, DecodedTensor]>,
): E.Either<SafetensorsError, ParamTree> => {
  const created: Array<readonly [string, tf.Tensor]> = []
  try {
    for (const [name, t] of entries) created.push([name, toTensor(t)])
    return E.right(unflatten(created))
  } catch (e) {
    for (const [, t] of created) t.dispose()
    const reason = e instanceof Error ? e.message : String(e)
    return E.left(safetensorsError(source, undefined, 'tensor names', 'dotted paths that form a tree (no name is both a leaf and a prefix)', reason))
  }
}

/** Reads a param tree from safetensors bytes; tensor names become dotted paths. */
export const paramsFromSafetensors = (bytes: Uint8Array, source = '<bytes>'): E.Either<SafetensorsError, ParamTree> => {
  const decoded = decodeSafetensors(bytes, source)
  if (E.isLeft(decoded)) return decoded
  return buildTree(source, Object.entries(decoded.right.tensors))
}

const LIST_LIMIT = 10

const listNames = (names: ReadonlyArray<string>): string =>
  names.length <= LIST_LIMIT ? names.join(', ') : `${names.slice(0, LIST_LIMIT).join(', ')}, and ${names.length - LIST_LIMIT} more`

/** Compares decoded tensors with a template tree: names, shapes and dtypes. */
export const matchTemplate = (
  tensors: Readonly<Record<string, DecodedTensor>>,
  template: ParamTree,
  source = '<bytes>',
): E.Either<ParamsMismatchError, void> => {
  const expected = flatten(template)
  const expectedNames = new Set(expected.map(([p]) => p))
  const missing: string[] = []
  const misShaped: Array<{ path: string; expected: string; actual: string }> = []
  for (const [path, want] of expected) {
    const got = Object.prototype.hasOwnProperty.call(tensors, path) ? tensors[path] : undefined
    if (got === undefined) {
      missing.push(path)
      continue
    }
    const wantText = `${showShape(want.shape)} ${want.dtype}`
    const gotText = `${showShape(got.shape)} ${tfDtypeOf(got)}`
    if (wantText !== gotText) misShaped.push({ path, expected: wantText, actual: gotText })
  }
  const unexpected = Object.keys(tensors).filter((name) => !expectedNames.has(name))
  if (missing.length === 0 && unexpected.length === 0 && misShaped.length === 0) return E.right(undefined)
  const parts: string[] = []
  if (missing.length > 0) parts.push(`${missing.length} missing (${listNames(missing)})`)
  if (unexpected.length > 0) parts.push(`${unexpected.length} unexpected (${listNames(unexpected)})`)
  if (misShaped.length > 0) {
    const shown = misShaped.slice(0, LIST_LIMIT).map((m) => `${m.path}: expected ${m.expected}, got ${m.actual}`)
    const more = misShaped.length > LIST_LIMIT ? `, and ${misShaped.length - LIST_LIMIT} more` : ''
    parts.push(`${misShaped.length} mis-shaped (${shown.join('; ')}${more})`)
  }
  return E.left({
    _tag: 'ParamsMismatchError',
    source,
    missing,
    unexpected,
    misShaped,
    message: `${source}: params do not match the model: ${parts.join('; ')}`,
  })
}

/** A param tree from safetensors bytes that must match `template` exactly (names, shapes, dtypes), in the template's order. */
export const paramsFromSafetensorsInto = (bytes: Uint8Array, template: ParamTree, source = '<bytes>'): E.Either<SafetensorsError | ParamsMismatchError, ParamTree> => {
  const decoded = decodeSafetensors(bytes, source)
  if (E.isLeft(decoded)) return decoded
  const tensors = decoded.right.tensors
  const matched = matchTemplate(tensors, template, source)
  if (E.isLeft(matched)) return matched
  return buildTree(
    source,
    flatten(template).map(([p]) => [p, tensors[p]!] as const),
  )
}
