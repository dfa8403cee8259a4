/**
 * `torch.save` files (PyTorch ≥ 1.6 zip format; `.pth`, `.pth.tar`, `.pt`), read without Python and
 * without executing anything: the zip container (`<dir>/data.pkl` + `<dir>/data/<key>` storages),
 * a restricted unpickler (see `pickle.ts`) and lazy tensor reads.
 *
 * Contract:
 * - `openTorchFile(path)` reads the central directory and `data.pkl` only (its CRC-32 is checked),
 *   and returns the unpickled object with every tensor as a `TorchTensorRef` (dtype, shape, stride,
 *   storage offset, storage key) — no tensor data is read. Refused with a `TorchFileError`: a file
 *   that is not a zip or is truncated, several or no `data.pkl`, a pickle opcode outside the subset,
 *   a GLOBAL outside the allow-list (`TORCH_GLOBALS`: collections.OrderedDict,
 *   torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter, the storage types, and
 *   argparse.Namespace as a plain attribute bag), a persistent id that is not a storage of a known
 *   dtype, a storage record missing or shorter than its element count, a tensor whose shape, stride
 *   and offset reach past its storage's end.
 * - `readTensor(ref)` reads that tensor's bytes only (one positioned read of its span in the storage)
 *   and converts them to float32 or int32 with the safetensors dtype rules (`dtypes.ts`: F16, BF16
 *   exact; F64 rounded; I64 refused when out of int32 range). Strided (non-contiguous) tensors are
 *   gathered into row-major order. A multi-GB checkpoint thus loads one tensor at a time.
 * - `close()` releases the file; reads after it fail.
 * Storage dtypes: Float, Half, BFloat16, Double, Long, Int, Short, Char, Byte, Bool.
 *
 * @example
 * import { openTorchFile } from '@jepa-ts/core/node'
 * import * as E from 'fp-ts/lib/Either.js'
 * const ckpt = openTorchFile('test/fixtures/torch/values.pt')
 * if (E.isRight(ckpt)) ckpt.right.close()
 */
import * as E from 'fp-ts/lib/Either.js'
import { crc32 } from './crc32.ts'
import { DTYPES, type SafetensorsDtype, readElements } from './dtypes.ts'
import type { HostTensor } from './safetensors.ts'
import { type PickleCallable, type PickleValue, PickleDict, PickleGlobal, PickleTuple, unpickle } from './pickle.ts'
import { type RandomAccessSource, bytesSource } from './random-access.ts'
import { type TorchFileError, torchFileError } from './torch-error.ts'
import { type ZipDirectory, dataRange, readZipDirectory } from './zip-directory.ts'

/** A storage referenced by the pickle (`<dir>/data/<key>`). */
export interface TorchStorageRef {
  readonly _tag: 'TorchStorage'
  readonly key: string
  readonly dtype: SafetensorsDtype
  /** Elements in the storage. */
  readonly numel: number
}

/** A tensor in the file, not yet read. */
export interface TorchTensorRef {
  readonly _tag: 'TorchTensor'
  readonly storage: TorchStorageRef
  /** In elements. */
  readonly storageOffset: number
  readonly shape: readonly number[]
  /** In elements. */
  readonly stride: readonly number[]
  readonly requiresGrad: boolean
}

/** An opened torch.save file. */
export interface TorchFile {
  readonly source: string
  /** The unpickled object (a state dict, or a dict holding several). */
  readonly root: PickleValue
  /** Reads one tensor's data (float32 or int32). */
  readTensor(ref: TorchTensorRef, name?: string): E.Either<TorchFileError, HostTensor>
  close(): void
}

/** Storage type names → dtypes. */
export const STORAGE_DTYPES: Readonly<Record<string, SafetensorsDtype>> = {
  FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16', DoubleStorage: 'F64', LongStorage: 'I64',
  IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8', ByteStorage: 'U8', BoolStorage: 'BOOL',
}

/** True for a tensor reference. */
export const isTorchTensor = (v: PickleValue): v is TorchTensorRef => typeof v === 'object' && v !== null && '_tag' in v && v._tag === 'TorchTensor'

const isStorage = (v: PickleValue): v is TorchStorageRef => typeof v === 'object' && v !== null && '_tag' in v && v._tag === 'TorchStorage'

const intsOf = (v: PickleValue | undefined): number[] | undefined =>
  v instanceof PickleTuple && v.items.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0) ? (v.items as number[]) : undefined

/** `_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks[, metadata])`. */
const rebuildTensor = (args: readonly PickleValue[]): E.Either<string, PickleValue> => {
  const [storage, offset, size, stride, requiresGrad] = args
  if (args.length < 6 || args.length > 7) return E.left(`${args.length} arguments (expected 6 or 7)`)
  if (storage === undefined || !isStorage(storage)) return E.left('a first argument that is not a storage')
  const shape = intsOf(size)
  const strides = intsOf(stride)
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0 || shape === undefined || strides === undefined || shape.length !== strides.length) {
    return E.left(`offset ${String(offset)}, size and stride that are not non-negative integer tuples of one length`)
  }
  const numel = shape.reduce((a, b) => a * b, 1)
  if (!Number.isSafeInteger(numel)) return E.left(`a shape of ${shape.join('×')} elements`)
  const last = numel === 0 ? offset - 1 : shape.reduce((s, d, i) => s + (d - 1) * strides[i]!, offset)
  if (last >= storage.numel) {
    return E.left(`a tensor of shape [${shape.join(', ')}] with stride [${strides.join(', ')}] at storage offset ${offset} reaching element ${last}, past the end of storage "${storage.key}" (${storage.numel} elements)`)
  }
  const ref: TorchTensorRef = { _tag: 'TorchTensor', storage, storageOffset: offset, shape, stride: strides, requiresGrad: requiresGrad === true }
  return E.right(ref)
}

/** `_rebuild_parameter(data, requires_grad, backward_hooks)`: the tensor. */
const rebuildParameter = (args: readonly PickleValue[]): E.Either<string, PickleValue> => {
  const [data, requiresGrad] = args
  if (args.length !== 3 || data === undefined || !isTorchTensor(data)) return E.left('arguments (tensor, requires_grad, hooks)')
  return E.right({ ...data, requiresGrad: requiresGrad === true })
}

/** The allow-list: every global a state dict or a training checkpoint needs, and nothing else. */
export const TORCH_GLOBALS: ReadonlyMap<string, PickleCallable> = new Map<string, PickleCallable>([
  ['collections.OrderedDict', { kind: 'dict' }],
  ['torch._utils._rebuild_tensor_v2', { kind: 'function', call: rebuildTensor }],
  ['torch._utils._rebuild_parameter', { kind: 'function', call: rebuildParameter }],
  ['argparse.Namespace', { kind: 'object' }],
  ...Object.keys(STORAGE_DTYPES).map((n): [string, PickleCallable] => [`torch.${n}`, { kind: 'marker' }]),
])

interface Layout {
  readonly prefix: string
  readonly pickle: Uint8Array
}

/** Finds `<dir>/data.pkl` and reads it (CRC-checked). */
const readLayout = (src: RandomAccessSource, dir: ZipDirectory): E.Either<TorchFileError, Layout> => {
  const pickles = [...dir.entries.keys()].filter((n) => n === 'data.pkl' || /^[^/]+\/data\.pkl$/.test(n))
  if (pickles.length !== 1) {
    return E.left(torchFileError(src.name, 'zip', 'exactly one <dir>/data.pkl (a torch.save file)', pickles.length === 0 ? `none among ${dir.entries.size} entries` : pickles.join(', ')))
  }
  const name = pickles[0]!
  const entry = dir.entries.get(name)!
  const range = dataRange(src, dir, entry)
  if (E.isLeft(range)) return range
  const MAX_PICKLE = 1 << 30
  if (range.right.size > MAX_PICKLE) return E.left(torchFileError(src.name, `zip entry "${name}"`, `at most ${MAX_PICKLE} bytes of pickle`, `${range.right.size}`))
  const pickle = src.read(range.right.offset, range.right.size)
  const crc = crc32(pickle) >>> 0
  if (crc !== entry.crc32) return E.left(torchFileError(src.name, `zip entry "${name}"`, `CRC-32 0x${entry.crc32.toString(16)}`, `0x${crc.toString(16)} (the file is corrupt)`))
  return E.right({ prefix: name.slice(0, name.length - 'data.pkl'.length), pickle })
}

const isContiguous = (shape: readonly number[], stride: readonly number[]): boolean => {
  let expected = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i]! !== 1 && stride[i]! !== expected) return false
    expected *= shape[i]!
  }
  return true
}

/** Row-major gather of a strided view; `span` holds elements [0, extent) relative to the offset. */
const gather = <A extends Float32Array | Int32Array>(span: A, shape: readonly number[], stride: readonly number[], make: (n: number) => A): A => {
  const numel = shape.reduce((a, b) => a * b, 1)
  const out = make(numel)
  const index = new Array<number>(shape.length).fill(0)
  let source = 0
  for (let i = 0; i < numel; i++) {
    out[i] = span[source]!
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]!++
      source += stride[d]!
      if (index[d]! < shape[d]!) break
      source -= stride[d]! * shape[d]!
      index[d] = 0
    }
  }
  return out
}

/** Opens a torch.save file held by a random-access source (see the module contract). */
export const openTorchSource = (src: RandomAccessSource): E.Either<TorchFileError, TorchFile> => {
  const dir = readZipDirectory(src)
  if (E.isLeft(dir)) return dir
  const layout = readLayout(src, dir.right)
  if (E.isLeft(layout)) return layout
  const { prefix } = layout.right
  const persistentLoad = (pid: PickleValue): E.Either<string, PickleValue> => {
    const items = pid instanceof PickleTuple ? pid.items : []
    const [tag, type, key, , numel] = items
    if (items.length !== 5 || tag !== 'storage' || !(type instanceof PickleGlobal) || typeof key !== 'string' || typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) {
      return E.left(`a persistent id that is not ('storage', <type>, key, location, numel)`)
    }
    const dtype = STORAGE_DTYPES[type.name]
    if (type.module !== 'torch' || dtype === undefined) return E.left(`storage type ${type.qualifiedName}`)
    const entryName = `${prefix}data/${key}`
    const entry = dir.right.entries.get(entryName)
    const bytes = numel * DTYPES[dtype].itemSize
    if (entry === undefined) return E.left(`storage "${key}" with no zip entry ${entryName} (the file is truncated)`)
    if (entry.size < bytes) return E.left(`storage "${key}" of ${numel} ${dtype} elements (${bytes} bytes) in a ${entry.size}-byte entry`)
    const ref: TorchStorageRef = { _tag: 'TorchStorage', key, dtype, numel }
    return E.right(ref)
  }
  const root = unpickle(layout.right.pickle, { globals: TORCH_GLOBALS, persistentLoad }, src.name, `${prefix}data.pkl`)
  if (E.isLeft(root)) return root
  const readTensor = (ref: TorchTensorRef, name = `storage "${ref.storage.key}"`): E.Either<TorchFileError, HostTensor> => {
    const where = `tensor ${name}`
    const entry = dir.right.entries.get(`${prefix}data/${ref.storage.key}`)
    if (entry === undefined) return E.left(torchFileError(src.name, where, `a zip entry for storage "${ref.storage.key}"`, 'none'))
    const range = dataRange(src, dir.right, entry)
    if (E.isLeft(range)) return range
    const { itemSize, readAs } = DTYPES[ref.storage.dtype]
    const numel = ref.shape.reduce((a, b) => a * b, 1)
    const extent = numel === 0 ? 0 : ref.shape.reduce((s, d, i) => s + (d - 1) * ref.stride[i]!, 0) + 1
    const start = ref.storageOffset * itemSize
    if (start + extent * itemSize > range.right.size) {
      return E.left(torchFileError(src.name, where, `elements [${ref.storageOffset}, ${ref.storageOffset + extent}) inside the storage`, `a ${range.right.size}-byte storage entry`))
    }
    const bytes = src.read(range.right.offset + start, extent * itemSize)
    const r = readElements(ref.storage.dtype, bytes, extent)
    if (!('data' in r)) return E.left(torchFileError(src.name, where, `${ref.storage.dtype} values that fit int32`, `${r.badValue} at element ${r.badIndex}`))
    const shape = [...ref.shape]
    if (readAs === 'F32') {
      const span = r.data as Float32Array
      return E.right({ dtype: 'F32', shape, data: isContiguous(ref.shape, ref.stride) ? span : gather(span, ref.shape, ref.stride, (n) => new Float32Array(n)) })
    }
    const span = r.data as Int32Array
    return E.right({ dtype: 'I32', shape, data: isContiguous(ref.shape, ref.stride) ? span : gather(span, ref.shape, ref.stride, (n) => new Int32Array(n)) })
  }
  return E.right({ source: src.name, root: root.right, readTensor, close: () => src.close() })
}

/** Opens torch.save bytes held in memory. */
export const torchFileFromBytes = (bytes: Uint8Array, source = '<bytes>'): E.Either<TorchFileError, TorchFile> => openTorchSource(bytesSource(bytes, source))

/**
 * The tensors of a state dict (a dict or OrderedDict of name → tensor) at `path` inside `root`
 * (dotted keys of nested dicts; '' for the root itself), in file order. Non-tensor entries are
 * refused naming them.
 */
export const stateDictAt = (file: Pick<TorchFile, 'source' | 'root'>, path: string): E.Either<TorchFileError, ReadonlyArray<readonly [string, TorchTensorRef]>> => {
  let node: PickleValue = file.root
  for (const key of path === '' ? [] : path.split('.')) {
    if (!(node instanceof PickleDict) || !node.entries.has(key)) {
      const keys = node instanceof PickleDict ? [...node.entries.keys()].map(String).join(', ') : 'none (not a dict)'
      return E.left(torchFileError(file.source, `key "${path}"`, `a dict with the key "${key}"`, `keys ${keys}`))
    }
    node = node.entries.get(key)!
  }
  if (!(node instanceof PickleDict)) return E.left(torchFileError(file.source, `key "${path}"`, 'a state dict (name → tensor)', 'another value'))
  const out: Array<readonly [string, TorchTensorRef]> = []
  for (const [k, v] of node.entries) {
    if (typeof k !== 'string' || !isTorchTensor(v)) return E.left(torchFileError(file.source, `state dict "${path}" entry ${String(k)}`, 'a tensor under a string name', 'another value'))
    out.push([k, v])
  }
  return E.right(out)
}
