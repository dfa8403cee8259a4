/**
 * Checkpoints: a family's whole training state as one safetensors file, with JSON metadata that
 * says what produced it.
 *
 *   tensors        stateToTree(state): params.*, target.*, opt.m.*, opt.v.*   (F32 / I32)
 *   __metadata__   { "jepa-ts.checkpoint": JSON of CheckpointMeta }
 *
 * Contract:
 * - `writeCheckpoint(paths, state, meta)` never leaves the run without a good checkpoint: the current
 *   `checkpoint.safetensors` is first hard-linked (copied where the file system has no hard links)
 *   to `checkpoint.prev.safetensors` (replacing the older one atomically; nothing to do when the two
 *   names are already links of one file), then the new bytes replace `checkpoint.safetensors` through
 *   `atomicWriteFile` (temp file, fsync, rename). A crash or a failed write at any point leaves
 *   `checkpoint.safetensors` holding either the old bytes or the new ones. Failures throw a
 *   `CheckpointError` naming the file.
 * - `readCheckpoint(path)` validates the file (the safetensors reader checks lengths and offsets
 *   before allocating: a truncated file or a lying header is refused naming the file) and the
 *   metadata (decoded by an io-ts codec). It allocates no tensors.
 * - `checkpointState(checkpoint, template)` builds the state only when every tensor path, shape and
 *   dtype equals the template's (a freshly `init`ed state): a checkpoint of another architecture is
 *   refused naming the tensors and both shapes. The caller owns the returned state.
 * - `metaMismatch(expected, found)` names the first metadata field that differs (`config.model.width`).
 */
import { copyFile, readFile, link, rename, unlink, stat } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { type ParamTree, type DecodedTensor, decodeSafetensors, matchTemplate, paramsToSafetensors, unflatten, flatten, decode, exact, parseJson, NonNegativeInt, PositiveInt } from '@jepa-ts/core'
import { type WriteAll, atomicWriteFile } from '@jepa-ts/core/node'
import { type TrainState, stateToTree, stateFromTree } from './family.ts'
import type { RunPaths } from './run-dir.ts'

/** The checkpoint format written by this module. */
export const CHECKPOINT_FORMAT = 'jepa-ts/checkpoint'
/** Its version; readers refuse others. */
export const CHECKPOINT_VERSION = 1
/** The `__metadata__` key holding the JSON metadata. */
export const CHECKPOINT_METADATA_KEY = 'jepa-ts.checkpoint'

/** A JSON value (configs are recorded as given). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [k: string]: JsonValue }

const JsonValueCodec: t.Type<JsonValue> = t.recursion('JsonValue', () =>
  t.union([t.null, t.boolean, t.number, t.string, t.readonlyArray(JsonValueCodec), t.record(t.string, JsonValueCodec)]),
)

/** What a checkpoint says about the run that wrote it. */
export const CheckpointMetaCodec = exact(
  {
    format: t.literal(CHECKPOINT_FORMAT),
    version: t.literal(CHECKPOINT_VERSION),
    family: t.string,
    config: JsonValueCodec,
    step: NonNegativeInt,
    key: t.string,
    dataset: t.string,
    datasetSize: NonNegativeInt,
    batchSize: PositiveInt,
  },
  { backend: t.string },
  'CheckpointMeta',
)

/** Checkpoint metadata: the family, its config, the step, the run key and the data it trains on. */
export interface CheckpointMeta {
  readonly format: typeof CHECKPOINT_FORMAT
  readonly version: typeof CHECKPOINT_VERSION
  /** Family name (`ijepa`, …). */
  readonly family: string
  /** The run's config as JSON (family config and training settings). */
  readonly config: JsonValue
  /** Optimizer steps taken. */
  readonly step: number
  /** The run key, `keyToString(key)`: data order and step keys derive from it. */
  readonly key: string
  /** Dataset name, e.g. `fashion-mnist/train`. */
  readonly dataset: string
  readonly datasetSize: number
  readonly batchSize: number
  /** The tfjs backend that computed it (absent in older checkpoints): resuming on another is not bit-exact. */
  readonly backend?: string
}

/** A checkpoint that cannot be written, read or used. */
export class CheckpointError extends Error {
  constructor(readonly file: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CheckpointError'
  }
}

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

const exists = async (path: string): Promise<boolean> => {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

/** Whether two paths name one file (hard links of one inode, e.g. after a write that was killed). */
const sameFile = async (a: string, b: string): Promise<boolean> => {
  try {
    const [x, y] = await Promise.all([stat(a), stat(b)])
    return x.dev === y.dev && x.ino === y.ino
  } catch {
    return false
  }
}

/** Options of `writeCheckpoint`; `writeAll` injects write failures in tests. */
export interface WriteCheckpointOptions {
  readonly writeAll?: WriteAll
}

/** Serializes state + metadata (the bytes `writeCheckpoint` writes). */
export const checkpointBytes = (state: TrainState, meta: CheckpointMeta): Uint8Array =>
  paramsToSafetensors(stateToTree(state), { [CHECKPOINT_METADATA_KEY]: JSON.stringify(meta) })

/**
 * `checkpointBytes` after reading every tensor of the state asynchronously first: the synchronous
 * reads of the serializer then hit the values the backend cached (on webgpu they would throw).
 */
export const checkpointBytesAsync = async (state: TrainState, meta: CheckpointMeta): Promise<Uint8Array> => {
  await Promise.all(flatten(stateToTree(state)).map(([, t]) => t.data()))
  return checkpointBytes(state, meta)
}

/** Writes `state` as the run's checkpoint, keeping the previous one as `checkpoint.prev.safetensors`. */
export const writeCheckpoint = async (paths: RunPaths, state: TrainState, meta: CheckpointMeta, options: WriteCheckpointOptions = {}): Promise<void> => {
  let bytes: Uint8Array
  try {
    bytes = await checkpointBytesAsync(state, meta)
  } catch (e) {
    throw new CheckpointError(paths.checkpoint, `cannot serialize the checkpoint for ${paths.checkpoint}: ${reasonOf(e)}`, { cause: e })
  }
  if (await exists(paths.checkpoint) && !(await sameFile(paths.checkpoint, paths.previousCheckpoint))) {
    const temp = `${paths.previousCheckpoint}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
    try {
      // A hard link costs no copy; file systems without hard links get a copy instead.
      await link(paths.checkpoint, temp).catch(async (e: unknown) => {
        if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK'].includes((e as { code?: string }).code ?? '')) throw e
        await copyFile(paths.checkpoint, temp)
      })
      await rename(temp, paths.previousCheckpoint)
      await unlink(temp).catch(() => undefined) // a rename between two links of one file leaves both names
    } catch (e) {
      await unlink(temp).catch(() => undefined)
      throw new CheckpointError(paths.previousCheckpoint, `cannot keep the previous checkpoint as ${paths.previousCheckpoint}: ${reasonOf(e)}`, { cause: e })
    }
  }
  try {
    await atomicWriteFile(paths.checkpoint, bytes, options.writeAll === undefined ? {} : { writeAll: options.writeAll })
  } catch (e) {
    throw new CheckpointError(paths.checkpoint, `${reasonOf(e)} (the last good checkpoint is unchanged)`, { cause: e })
  }
}

/** A checkpoint read from disk: its metadata and its decoded (host) tensors. */
export interface CheckpointFile {
  readonly path: string
  readonly meta: CheckpointMeta
  readonly tensors: Readonly<Record<string, DecodedTensor>>
}

/** Reads and validates a checkpoint file (format, header, metadata); allocates no tensors. */
export const readCheckpoint = async (path: string): Promise<CheckpointFile> => {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (e) {
    throw new CheckpointError(path, `cannot read checkpoint ${path}: ${reasonOf(e)}`, { cause: e })
  }
  const decoded = decodeSafetensors(bytes, path)
  if (E.isLeft(decoded)) throw new CheckpointError(path, `not a valid checkpoint: ${decoded.left.message}`)
  const text = decoded.right.metadata[CHECKPOINT_METADATA_KEY]
  if (text === undefined) throw new CheckpointError(path, `${path}: not a jepa-ts checkpoint (no "${CHECKPOINT_METADATA_KEY}" entry in __metadata__)`)
  const json = parseJson(text)
  if (E.isLeft(json)) throw new CheckpointError(path, `${path}: checkpoint metadata is not valid JSON: ${json.left.reason} at column ${json.left.column}`)
  const meta = decode(CheckpointMetaCodec, json.right, 'metadata', path)
  if (E.isLeft(meta)) throw new CheckpointError(path, meta.left.format())
  return { path, meta: meta.right, tensors: decoded.right.tensors }
}

/** The state stored in a checkpoint, checked against `template` (paths, shapes, dtypes). Caller owns it. */
export const checkpointState = (file: CheckpointFile, template: ParamTree): TrainState => {
  const matched = matchTemplate(file.tensors, template, file.path)
  if (E.isLeft(matched)) {
    const detail = matched.left.message.startsWith(`${file.path}: `) ? matched.left.message.slice(file.path.length + 2) : matched.left.message
    throw new CheckpointError(file.path, `${file.path}: checkpoint of a different architecture: ${detail}`)
  }
  const created: Array<readonly [string, tf.Tensor]> = []
  try {
    for (const [path] of flatten(template)) {
      const d = file.tensors[path]!
      created.push([path, tf.tensor(d.data, [...d.shape], d.dtype === 'F32' ? 'float32' : 'int32')])
    }
    return stateFromTree(unflatten(created), file.meta.step)
  } catch (e) {
    for (const [, tensor] of created) tensor.dispose()
    throw new CheckpointError(file.path, `${file.path}: cannot build the state: ${reasonOf(e)}`, { cause: e })
  }
}

const show = (v: JsonValue | undefined): string => (v === undefined ? 'absent' : JSON.stringify(v))

const isObject = (v: JsonValue | undefined): v is { readonly [k: string]: JsonValue } =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The first path where two JSON values differ, with both values, or undefined when equal. */
export const jsonDifference = (a: JsonValue | undefined, b: JsonValue | undefined, path: string): string | undefined => {
  if (isObject(a) && isObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const d = jsonDifference(a[k], b[k], `${path}.${k}`)
      if (d !== undefined) return d
    }
    return undefined
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let i = 0; i < a.length; i++) {
      const d = jsonDifference(a[i] as JsonValue, b[i] as JsonValue, `${path}.${i}`)
      if (d !== undefined) return d
    }
    return undefined
  }
  return JSON.stringify(a) === JSON.stringify(b) ? undefined : `${path}: this run has ${show(a)}, the checkpoint has ${show(b)}`
}

/** Why a checkpoint's metadata does not belong to this run (the first differing field), or undefined. */
export const metaMismatch = (expected: Omit<CheckpointMeta, 'step'>, found: CheckpointMeta): string | undefined => {
  const fields = ['family', 'config', 'key', 'dataset', 'datasetSize', 'batchSize'] as const
  for (const f of fields) {
    const d = jsonDifference(expected[f], found[f], f)
    if (d !== undefined) return d
  }
  return undefined
}
