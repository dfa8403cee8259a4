import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { type ParamTree, flatten, disposeTree, paramsToSafetensors, paramsFromSafetensors, encodeSafetensors } from '@jepa-ts/core'
import { saveParams, loadParams, loadParamsInto, atomicWriteFile } from '@jepa-ts/core/node'

const withDir = async (f: (dir: string) => Promise<void>): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), 'jepa-io-'))
  try {
    await f(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const bitsOf = (t: tf.Tensor): number[] => {
  const data = t.dataSync() as Float32Array | Int32Array
  return Array.from(new Uint32Array(data.buffer, data.byteOffset, data.length))
}

/** Structure, shapes, dtypes and bits of a tree, leaf by leaf in order. */
const describeTree = (tree: ParamTree): Array<[string, number[], string, number[]]> =>
  flatten(tree).map(([p, t]) => [p, t.shape, t.dtype, bitsOf(t)])

// ---------------------------------------------------------------------------------------------
// trees round-trip through bytes

const SPECIAL_BITS = [0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x807fffff, 0x7fc00000, 0x7fc00001, 0xffc12345, 0x7f800001, 0xff800abc, 0x7f7fffff]

type LeafSpec = { readonly dtype: 'float32' | 'int32'; readonly shape: number[]; readonly words: number[] }
type TreeSpec = { readonly [k: string]: TreeSpec | LeafSpec }

const leafArb: fc.Arbitrary<LeafSpec> = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }).chain((shape) => {
  const n = shape.reduce((a, b) => a * b, 1)
  return fc.record({
    dtype: fc.constantFrom('float32' as const, 'int32' as const),
    shape: fc.constant(shape),
    words: fc.array(fc.oneof(fc.constantFrom(...SPECIAL_BITS), fc.integer({ min: 0, max: 0xffffffff })), { minLength: n, maxLength: n }),
  })
})
const segmentArb = fc.oneof(fc.stringMatching(/^[a-z_][a-z0-9_]{0,5}$/), fc.nat({ max: 11 }).map(String))
const treeArb: fc.Arbitrary<TreeSpec> = fc.letrec<{ node: TreeSpec; child: TreeSpec | LeafSpec }>((tie) => ({
  node: fc.dictionary(segmentArb, tie('child'), { minKeys: 1, maxKeys: 4 }),
  child: fc.oneof({ depthSize: 'small', maxDepth: 3 }, leafArb, tie('node')),
})).node

const isLeafSpec = (x: TreeSpec | LeafSpec): x is LeafSpec => Array.isArray((x as LeafSpec).words)
const build = (spec: TreeSpec): ParamTree =>
  Object.fromEntries(
    Object.entries(spec).map(([k, v]) => {
      if (!isLeafSpec(v)) return [k, build(v)]
      const words = new Uint32Array(v.words)
      const data = v.dtype === 'float32' ? new Float32Array(words.buffer) : new Int32Array(words.buffer)
      return [k, tf.tensor(data, v.shape, v.dtype)]
    }),
  )

test('any param tree round-trips bit-exactly through safetensors bytes, and leaks no tensors', () => {
  fc.assert(
    fc.property(treeArb, fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }), (spec, metadata) => {
      const tree = build(spec)
      const before = tf.memory().numTensors
      const back = paramsFromSafetensors(paramsToSafetensors(tree, metadata))
      assert.ok(E.isRight(back), E.isLeft(back) ? back.left.message : '')
      try {
        assert.deepEqual(describeTree(back.right), describeTree(tree))
        assert.equal(tf.memory().numTensors, before + flatten(tree).length)
      } finally {
        disposeTree(back.right)
        disposeTree(tree)
      }
      return true
    }),
    { numRuns: 80 },
  )
})

test('names that do not form a tree are an error, and nothing is left allocated', () => {
  const bytes = encodeSafetensors({
    'blocks.0': { dtype: 'F32', shape: [1], data: new Float32Array(1) },
    'blocks.0.w': { dtype: 'F32', shape: [1], data: new Float32Array(1) },
  })
  const before = tf.memory().numTensors
  const r = paramsFromSafetensors(bytes, 'odd.safetensors')
  assert.ok(E.isLeft(r), 'E.isLeft(r)')
  assert.match(r.left.message, /^odd\.safetensors: tensor names: expected dotted paths that form a tree .*blocks\.0/)
  assert.equal(tf.memory().numTensors, before)
})

test('params of other dtypes are refused, naming the path', () => {
  const tree = { mask: tf.tensor([true, false], [2], 'bool') }
  assert.throws(() => paramsToSafetensors(tree), /param "mask" has dtype bool; only float32 and int32/)
  disposeTree(tree)
})

// ---------------------------------------------------------------------------------------------
// files

const model = (): ParamTree => ({
  patch_embed: { proj: { weight: tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]), bias: tf.tensor([0.5, -0.5]) } },
  blocks: { 0: { attn: { qkv: { weight: tf.zeros([3, 9]) } } }, 1: { attn: { qkv: { weight: tf.ones([3, 9]) } } } },
  step: tf.scalar(7, 'int32'),
})

test('saveParams then loadParams gives the same tree; metadata is written', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'params.safetensors')
    const tree = model()
    assert.deepEqual(await saveParams(path, tree, { step: '7' }), E.right(undefined))
    assert.deepEqual(readdirSync(dir), ['params.safetensors'])
    const back = await loadParams(path)
    assert.ok(E.isRight(back), E.isLeft(back) ? back.left.message : '')
    assert.deepEqual(describeTree(back.right), describeTree(tree))
    assert.match(readFileSync(path).subarray(8, 60).toString('utf8'), /^\{"__metadata__":\{"step":"7"\}/)
    disposeTree(back.right)
    disposeTree(tree)
  })
})

test('loadParams names a missing file and a corrupt one', async () => {
  await withDir(async (dir) => {
    const missing = join(dir, 'nope.safetensors')
    const r = await loadParams(missing)
    assert.ok(E.isLeft(r), 'E.isLeft(r)')
    assert.match(r.left.message, new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: file: expected a readable safetensors file, got ENOENT`))
    const corrupt = join(dir, 'corrupt.safetensors')
    writeFileSync(corrupt, 'abc')
    const c = await loadParams(corrupt)
    assert.ok(E.isLeft(c), 'E.isLeft(c)')
    assert.equal(c.left.message, `${corrupt}: file length: expected at least 8 bytes (the u64 header length), got 3 bytes`)
  })
})

test('loadParamsInto accepts a matching file and returns the template order', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'p.safetensors')
    const tree = model()
    // written in a different order than the template's
    const reversed = Object.fromEntries(Object.entries(tree).reverse()) as ParamTree
    assert.ok(E.isRight(await saveParams(path, reversed)), 'E.isRight(await saveParams(path, reversed))')
    const loaded = await loadParamsInto(path, tree)
    assert.ok(E.isRight(loaded), E.isLeft(loaded) ? loaded.left.message : '')
    assert.deepEqual(describeTree(loaded.right), describeTree(tree))
    disposeTree(loaded.right)
    disposeTree(tree)
  })
})

test('loadParamsInto refuses a checkpoint of another architecture, listing missing, unexpected and mis-shaped names', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'other.safetensors')
    const other: ParamTree = {
      patch_embed: { proj: { weight: tf.zeros([4, 3]), bias: tf.zeros([2]) } },
      blocks: { 0: { attn: { qkv: { weight: tf.zeros([3, 9]) } } } },
      head: { weight: tf.zeros([3, 10]) },
      step: tf.scalar(7, 'float32'),
    }
    assert.ok(E.isRight(await saveParams(path, other)), 'E.isRight(await saveParams(path, other))')
    const template = model()
    const before = tf.memory().numTensors
    const r = await loadParamsInto(path, template)
    assert.equal(tf.memory().numTensors, before)
    assert.ok(E.isLeft(r), 'E.isLeft(r)')
    assert.equal(r.left._tag, 'ParamsMismatchError')
    if (r.left._tag !== 'ParamsMismatchError') return
    assert.deepEqual(r.left.missing, ['blocks.1.attn.qkv.weight'])
    assert.deepEqual(r.left.unexpected, ['head.weight'])
    assert.deepEqual(r.left.misShaped, [
      { path: 'patch_embed.proj.weight', expected: '[2, 3] float32', actual: '[4, 3] float32' },
      { path: 'step', expected: '[] int32', actual: '[] float32' },
    ])
    assert.equal(
      r.left.message,
      `${path}: params do not match the model: 1 missing (blocks.1.attn.qkv.weight); 1 unexpected (head.weight); ` +
        '2 mis-shaped (patch_embed.proj.weight: expected [2, 3] float32, got [4, 3] float32; step: expected [] int32, got [] float32)',
    )
    disposeTree(template)
    disposeTree(other)
  })
})

// ---------------------------------------------------------------------------------------------
// atomic writes

test('atomicWriteFile replaces the file, keeps its mode, and leaves no temp file', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'out.bin')
    await atomicWriteFile(path, new Uint8Array([1, 2, 3]))
    chmodSync(path, 0o600)
    await atomicWriteFile(path, new Uint8Array([9, 8]))
    assert.deepEqual([...readFileSync(path)], [9, 8])
    assert.equal(statSync(path).mode & 0o777, 0o600)
    assert.deepEqual(readdirSync(dir), ['out.bin'])
  })
})

test('a write that fails midway leaves the old file intact and no temp file behind', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'params.safetensors')
    writeFileSync(path, 'old contents')
    let tempSeen = ''
    const failingWrite = async (handle: import('node:fs/promises').FileHandle, bytes: Uint8Array): Promise<void> => {
      await handle.write(bytes, 0, bytes.length >> 1)
      tempSeen = readdirSync(dir).filter((f) => f !== 'params.safetensors').join(',')
      throw new Error('disk full (injected)')
    }
    await assert.rejects(
      atomicWriteFile(path, new Uint8Array(1000).fill(7), { writeAll: failingWrite }),
      (e: unknown) => e instanceof Error && e.message === `atomicWriteFile: cannot write ${path}: disk full (injected)`,
    )
    assert.match(tempSeen, /^\.params\.safetensors\.\d+\.[0-9a-f]{12}\.tmp$/, 'the half-written data went to a temp file')
    assert.equal(readFileSync(path, 'utf8'), 'old contents')
    assert.deepEqual(readdirSync(dir), ['params.safetensors'])
  })
})

test('a failing rename (target is a directory) and a missing directory are errors naming the path', async () => {
  await withDir(async (dir) => {
    const target = join(dir, 'taken')
    mkdirSync(join(target, 'inside'), { recursive: true })
    await assert.rejects(atomicWriteFile(target, new Uint8Array([1])), (e: unknown) => e instanceof Error && e.message.startsWith(`atomicWriteFile: cannot write ${target}: `))
    assert.deepEqual(readdirSync(dir), ['taken'])
    const tree = { w: tf.zeros([2]) }
    const r = await saveParams(join(dir, 'no', 'such', 'p.safetensors'), tree)
    assert.ok(E.isLeft(r), 'E.isLeft(r)')
    assert.match(r.left.message, /no\/such\/p\.safetensors: write: expected the file to be written, got atomicWriteFile: cannot write .*ENOENT/)
    disposeTree(tree)
  })
})
