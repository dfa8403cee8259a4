/**
 * Immutable parameter trees whose paths mirror PyTorch `state_dict` names.
 *
 * Contract: a `ParamTree` is a plain, frozen-by-convention record whose leaves are tensors and whose
 * inner nodes are records; the dotted path of a leaf (`blocks.0.attn.qkv.weight`) is its name in a
 * safetensors file and in the reference checkpoint. Every function here returns a new tree; none
 * mutates or disposes its input unless its name says so (`disposeTree`).
 */
import * as tf from '@tensorflow/tfjs'

/** A tree of tensors keyed by state_dict path segments. */
export interface ParamTree {
  readonly [segment: string]: ParamTree | tf.Tensor
}

/** True for a tensor leaf. */
export const isTensor = (x: unknown): x is tf.Tensor => x instanceof tf.Tensor

/**
 * Throws a TypeError naming the function and the path when `tree` is not a record (undefined, null,
 * a tensor, an array) — e.g. `params.head` of a tree that has no `head` — instead of
 * "Cannot convert undefined or null to object" from deep inside.
 */
export const assertTree = (tree: unknown, fn: string, path = ''): void => {
  if (tree !== null && typeof tree === 'object' && !isTensor(tree) && !Array.isArray(tree)) return
  const got = tree === undefined ? 'undefined' : tree === null ? 'null' : isTensor(tree) ? `a tensor [${tree.shape.join(', ')}]` : Array.isArray(tree) ? 'an array' : `a ${typeof tree}`
  throw new TypeError(`${fn}: expected a param tree at ${path === '' ? '<root>' : path}, got ${got}`)
}

/** Leaves in insertion order with their dotted paths. */
export const flatten = (tree: ParamTree, prefix = ''): Array<readonly [string, tf.Tensor]> => {
  assertTree(tree, 'flatten', prefix)
  const out: Array<readonly [string, tf.Tensor]> = []
  for (const [k, v] of Object.entries(tree)) {
    const path = prefix === '' ? k : `${prefix}.${k}`
    if (isTensor(v)) out.push([path, v])
    else out.push(...flatten(v, path))
  }
  return out
}

/** Rebuilds a tree from `[path, tensor]` pairs; throws on a path that is both a leaf and a node. */
export const unflatten = (entries: Iterable<readonly [string, tf.Tensor]>): ParamTree => {
  const root: Record<string, unknown> = {}
  for (const [path, t] of entries) {
    const segs = path.split('.')
    let node = root
    for (let i = 0; i < segs.length - 1; i++) {
      const s = segs[i]!
      const next = node[s]
      if (next === undefined) node = node[s] = {}
      else if (isTensor(next)) throw new Error(`unflatten: "${segs.slice(0, i + 1).join('.')}" is a tensor and a prefix of "${path}"`)
      else node = next as Record<string, unknown>
    }
    const leaf = segs[segs.length - 1]!
    if (node[leaf] !== undefined) throw new Error(`unflatten: duplicate or conflicting path "${path}"`)
    node[leaf] = t
  }
  return root as ParamTree
}

/** Applies `f` to every leaf, keeping the structure. */
export const mapTree = (tree: ParamTree, f: (t: tf.Tensor, path: string) => tf.Tensor, prefix = ''): ParamTree => {
  assertTree(tree, 'mapTree', prefix)
  const out: Record<string, ParamTree | tf.Tensor> = {}
  for (const [k, v] of Object.entries(tree)) {
    const path = prefix === '' ? k : `${prefix}.${k}`
    out[k] = isTensor(v) ? f(v, path) : mapTree(v, f, path)
  }
  return out
}

/** Combines two trees of the same structure leaf by leaf; throws naming the first path that differs. */
export const zipTree = (
  a: ParamTree,
  b: ParamTree,
  f: (x: tf.Tensor, y: tf.Tensor, path: string) => tf.Tensor,
  prefix = '',
): ParamTree => {
  assertTree(a, 'zipTree', prefix)
  assertTree(b, 'zipTree', prefix)
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  const missing = ka.filter((k) => !(k in b)).concat(kb.filter((k) => !(k in a)))
  if (missing.length > 0) {
    const at = prefix === '' ? '<root>' : prefix
    throw new Error(`zipTree: trees differ at ${at}: keys only on one side: ${missing.join(', ')}`)
  }
  const out: Record<string, ParamTree | tf.Tensor> = {}
  for (const k of ka) {
    const path = prefix === '' ? k : `${prefix}.${k}`
    const x = a[k]!
    const y = b[k]!
    if (isTensor(x) && isTensor(y)) {
      if (x.shape.join(',') !== y.shape.join(',')) throw new Error(`zipTree: shapes differ at ${path}: [${x.shape}] vs [${y.shape}]`)
      out[k] = f(x, y, path)
    } else if (!isTensor(x) && !isTensor(y)) out[k] = zipTree(x, y, f, path)
    else throw new Error(`zipTree: ${path} is a tensor on one side and a subtree on the other`)
  }
  return out
}

/** Total number of scalars in the tree. */
export const countParams = (tree: ParamTree): number => flatten(tree).reduce((n, [, t]) => n + t.size, 0)

/** The subtree at a dotted path, or undefined. */
export const subtree = (tree: ParamTree, path: string): ParamTree | tf.Tensor | undefined => {
  if (path === '') return tree
  let node: ParamTree | tf.Tensor | undefined = tree
  for (const s of path.split('.')) {
    if (node === undefined || isTensor(node)) return undefined
    node = node[s]
  }
  return node
}

const EMPTY: ParamTree = Object.freeze({})

/**
 * The subtree at a dotted path, or an empty tree when there is none there (the path is absent or
 * ends at a tensor): the params of a part that has no params of its own.
 */
export const subtreeOrEmpty = (tree: ParamTree, path: string): ParamTree => {
  const s = subtree(tree, path)
  return s === undefined || isTensor(s) ? EMPTY : s
}

/** Disposes every tensor of the tree (the tree must not be used afterwards). */
export const disposeTree = (tree: ParamTree): void => {
  for (const [, t] of flatten(tree)) t.dispose()
}

/** Keeps every tensor of the tree alive across `tf.tidy` scopes; returns the same tree. */
export const keepTree = <T extends ParamTree>(tree: T): T => {
  for (const [, t] of flatten(tree)) tf.keep(t)
  return tree
}
