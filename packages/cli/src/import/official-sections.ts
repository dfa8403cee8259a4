/**
 * Reading the state dicts of an official checkpoint by shape, before any tensor data is read:
 * `section` pulls one state dict out of a torch.save file and strips DistributedDataParallel's
 * `module.` prefix; `specShapes` lists the param paths and shapes our model expects (from the shape
 * interpreter, no tensor allocated); `compareToSpecs` says which names are missing, unexpected or
 * of another shape, the way `loadParamsInto` does.
 *
 * Contract: every function returns `Left(message)` naming the file, the section and the tensors;
 * a section whose keys are prefixed only in part is refused (a mixed dict is not what torch writes).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type SpecTree, type TorchFile, type TorchTensorRef, isSpec, stateDictAt } from '@jepa-ts/core'

/** A tensor of a section: its name after stripping, and its reference in the file. */
export interface SectionEntry {
  readonly name: string
  readonly ref: TorchTensorRef
}

/** A state dict of the file, `module.` stripped. */
export interface Section {
  /** The key in the file (`encoder`, `model`, `''` for the root). */
  readonly key: string
  readonly entries: ReadonlyMap<string, TorchTensorRef>
  /** True when the keys carried DDP's `module.` prefix. */
  readonly stripped: boolean
}

const PREFIX = 'module.'

/** The state dict at `key` (dotted, '' for the root), with `module.` stripped from every name. */
export const section = (file: Pick<TorchFile, 'source' | 'root'>, key: string): E.Either<string, Section> => {
  const entries = stateDictAt(file, key)
  if (E.isLeft(entries)) return E.left(entries.left.message)
  const names = entries.right.map(([n]) => n)
  const prefixed = names.filter((n) => n.startsWith(PREFIX)).length
  if (prefixed !== 0 && prefixed !== names.length) {
    return E.left(`${file.source}: state dict "${key}": ${prefixed} of ${names.length} names start with "${PREFIX}" (expected all or none, as DistributedDataParallel writes)`)
  }
  const stripped = prefixed > 0
  return E.right({ key, stripped, entries: new Map(entries.right.map(([n, ref]) => [stripped ? n.slice(PREFIX.length) : n, ref])) })
}

/** The shape of a tensor of a section, or Left naming it. */
export const shapeOf = (source: string, s: Section, name: string): E.Either<string, readonly number[]> => {
  const ref = s.entries.get(name)
  return ref === undefined ? E.left(`${source}: state dict "${s.key}" has no tensor "${name}" (names: ${[...s.entries.keys()].slice(0, 8).join(', ')}…)`) : E.right(ref.shape)
}

/** The number of `<prefix>.<i>.` blocks of a section (0, 1, …, n − 1 must all be present). */
export const blockCount = (s: Section, prefix: string): number => {
  const seen = new Set<number>()
  for (const n of s.entries.keys()) {
    const m = new RegExp(`^${prefix}\\.(\\d+)\\.`).exec(n)
    if (m !== null) seen.add(Number(m[1]))
  }
  let depth = 0
  while (seen.has(depth)) depth++
  return depth
}

/** Param paths and shapes of a spec tree. */
export const specShapes = (specs: SpecTree, prefix = ''): Map<string, readonly number[]> => {
  const out = new Map<string, readonly number[]>()
  for (const [k, v] of Object.entries(specs)) {
    const path = prefix === '' ? k : `${prefix}.${k}`
    if (isSpec(v)) out.set(path, v.shape.map(Number))
    else for (const [p, s] of specShapes(v, path)) out.set(p, s)
  }
  return out
}

const show = (shape: readonly number[]): string => `[${shape.join(', ')}]`

const list = (names: readonly string[]): string => (names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')}, and ${names.length - 8} more`)

/** Compares a section (minus `skip`, the buffers) with the expected params; Left lists every difference. */
export const compareToSpecs = (source: string, s: Section, expected: ReadonlyMap<string, readonly number[]>, skip: ReadonlySet<string>): E.Either<string, void> => {
  const missing = [...expected.keys()].filter((p) => !s.entries.has(p))
  const unexpected = [...s.entries.keys()].filter((n) => !skip.has(n) && !expected.has(n))
  const misShaped = [...expected].flatMap(([p, shape]) => {
    const ref = s.entries.get(p)
    return ref !== undefined && show(ref.shape) !== show(shape) ? [`${p}: expected ${show(shape)}, got ${show(ref.shape)}`] : []
  })
  if (missing.length + unexpected.length + misShaped.length === 0) return E.right(undefined)
  const parts = [
    ...(missing.length > 0 ? [`${missing.length} missing (${list(missing)})`] : []),
    ...(unexpected.length > 0 ? [`${unexpected.length} unexpected (${list(unexpected)})`] : []),
    ...(misShaped.length > 0 ? [`${misShaped.length} mis-shaped (${list(misShaped)})`] : []),
  ]
  return E.left(`${source}: state dict "${s.key}" does not match the inferred architecture: ${parts.join('; ')}`)
}
