/**
 * The torch.save reader (packages/core/src/io/torch-file.ts): values written by Debian's PyTorch
 * (tools/torch/make_reader_fixtures.py) read back exactly, every dtype and strided view included;
 * the refusal cases (truncated zip, compressed entry, corrupt data.pkl, opcodes outside the subset,
 * GLOBALs outside the allow-list, storages too short, tensors past their storage's end) give
 * errors naming the file and the problem; a 1 GiB file is read one tensor at a time with a peak
 * RSS far below its size; and `torchSaveBytes` writes what the reader reads back (that torch.load
 * reads it is checked in test/cli/export.test.ts).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { type PickleValue, type TorchFile, PickleDict, PickleTuple, PyDict, PyFloat, PyTuple, isTorchTensor, stateDictAt, torchFileFromBytes, torchSaveBytes } from '@jepa-ts/core'
import { openTorchFile } from '@jepa-ts/core/node'
import { op, stateDictPickle, torchBytes, writeSparseTorchFile, zipStored } from './torch-writer.ts'

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/torch/${name}`, import.meta.url))

interface Expected {
  readonly dtype: 'F32' | 'I32'
  readonly shape: number[]
  readonly values: number[]
}

const open = (bytes: Uint8Array): TorchFile => {
  const r = torchFileFromBytes(bytes, 'test.pt')
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

const refusal = (bytes: Uint8Array): string => {
  const r = torchFileFromBytes(bytes, 'bad.pt')
  assert.ok(E.isLeft(r), 'the file must be refused')
  return r.left.message
}

const plain = (v: PickleValue): unknown => {
  if (Array.isArray(v)) return v.map(plain)
  if (v instanceof PickleTuple) return v.items.map(plain)
  if (v instanceof PickleDict) return Object.fromEntries([...v.entries].map(([k, x]) => [String(k), plain(x)]))
  if (typeof v === 'bigint') return v.toString()
  return v
}

test('tensors of every dtype, strided views, a 0-d, an empty tensor and a Parameter read back as PyTorch wrote them', () => {
  const expected = JSON.parse(readFileSync(fixture('values.expected.json'), 'utf8')) as { tensors: Record<string, Expected>; linear: Record<string, Expected>; plain: unknown }
  const file = openTorchFile(fixture('values.pt'))
  if (E.isLeft(file)) throw new Error(file.left.message)
  try {
    for (const section of ['tensors', 'linear'] as const) {
      const entries = stateDictAt(file.right, section)
      if (E.isLeft(entries)) throw new Error(entries.left.message)
      assert.deepEqual(entries.right.map(([n]) => n), Object.keys(expected[section]), `${section}: names in file order`)
      for (const [name, ref] of entries.right) {
        const want = expected[section][name]!
        const got = file.right.readTensor(ref, name)
        if (E.isLeft(got)) throw new Error(got.left.message)
        assert.equal(got.right.dtype, want.dtype, `${name} dtype`)
        assert.deepEqual(got.right.shape, want.shape, `${name} shape`)
        assert.deepEqual([...got.right.data], want.values.map((x) => (want.dtype === 'F32' ? Math.fround(x) : x)), `${name} values`)
      }
    }
    const root = file.right.root as PickleDict
    assert.deepEqual(plain(root.entries.get('plain')!), expected.plain)
    const linear = root.entries.get('linear')
    assert.ok(linear instanceof PickleDict && linear.className === 'collections.OrderedDict' && linear.attributes.has('_metadata'), 'the state_dict OrderedDict keeps its _metadata attribute (BUILD)')
    const param = (root.entries.get('tensors') as PickleDict).entries.get('param')!
    assert.ok(isTorchTensor(param) && param.requiresGrad, 'a Parameter is its tensor, requires_grad kept')
  } finally {
    file.right.close()
  }
})

const f32 = (...xs: number[]): Uint8Array => new Uint8Array(new Float32Array(xs).buffer)

test('a state dict written from TypeScript reads back (the writer the refusal tests build on)', () => {
  const file = open(torchBytes([{ name: 'w', key: '0', storage: 'FloatStorage', numel: 4, shape: [2, 2] }], { 0: f32(1, 2, 3, 4) }))
  const [entry] = E.getOrElseW(() => [])(stateDictAt(file, ''))
  assert.ok(entry !== undefined)
  const t = file.readTensor(entry[1])
  assert.ok(E.isRight(t) && [...t.right.data].join() === '1,2,3,4')
})

test('truncated files are refused naming the missing end-of-central-directory', () => {
  const bytes = readFileSync(fixture('values.pt'))
  for (const keep of [bytes.length - 10, Math.floor(bytes.length / 2), 10]) {
    assert.match(refusal(bytes.subarray(0, keep)), /^bad\.pt: zip: expected .*end-of-central-directory|at least 22 bytes/)
  }
  const file = refusal(new Uint8Array(0))
  assert.match(file, /bad\.pt: zip: expected a zip file \(at least 22 bytes\), got 0 bytes/)
})

test('a compressed entry, a corrupt data.pkl and a file without data.pkl are refused', () => {
  const pickle = stateDictPickle([])
  assert.match(refusal(zipStored([['archive/data.pkl', pickle]], 8)), /zip entry "archive\/data.pkl": expected a stored \(uncompressed\) entry.*compression method 8/)
  const corrupt = zipStored([['archive/data.pkl', pickle]])
  const at = 30 + 'archive/data.pkl'.length + 3
  corrupt[at] = corrupt[at]! ^ 0xff
  assert.match(refusal(corrupt), /CRC-32/)
  assert.match(refusal(zipStored([['archive/other', pickle]])), /exactly one <dir>\/data.pkl/)
})

test('opcodes outside the subset are refused naming the opcode and its byte', () => {
  const inst = Uint8Array.from([...op.proto, 0x69, ...new TextEncoder().encode('os\nsystem\n'), ...op.stop])
  assert.match(refusal(zipStored([['archive/data.pkl', inst]])), /data\.pkl byte 2: .*opcode 0x69 \(INST\)/)
  const ext = Uint8Array.from([...op.proto, 0x82, 1, ...op.stop])
  assert.match(refusal(zipStored([['archive/data.pkl', ext]])), /opcode 0x82 \(EXT1\)/)
  const unterminated = Uint8Array.from([...op.proto, ...op.mark])
  assert.match(refusal(zipStored([['archive/data.pkl', unterminated]])), /the end of the stream/)
})

test('GLOBALs outside the allow-list are refused by name, and nothing is called', () => {
  const system = Uint8Array.from([...op.proto, ...op.global('os', 'system'), ...op.str('echo pwned'), 0x85, ...op.reduce, ...op.stop])
  assert.match(refusal(zipStored([['archive/data.pkl', system]])), /data\.pkl byte 2: expected one of the allowed globals \(collections\.OrderedDict, .*got GLOBAL os\.system, which is outside the allow-list/)
  const stackGlobal = Uint8Array.from([...op.proto, ...op.str('builtins'), ...op.str('eval'), 0x93, ...op.stop])
  assert.match(refusal(zipStored([['archive/data.pkl', stackGlobal]])), /GLOBAL builtins\.eval/)
  const storageCall = Uint8Array.from([...op.proto, ...op.global('torch', 'FloatStorage'), ...op.emptyTuple, ...op.reduce, ...op.stop])
  assert.match(refusal(zipStored([['archive/data.pkl', storageCall]])), /torch\.FloatStorage, which may appear only as a type tag/)
})

test('storages shorter than their element count, and tensors past their storage end, are refused', () => {
  const short = torchBytes([{ name: 'w', key: '0', storage: 'FloatStorage', numel: 4, shape: [4] }], { 0: f32(1, 2, 3) })
  assert.match(refusal(short), /storage "0" of 4 F32 elements \(16 bytes\) in a 12-byte entry/)
  const missing = torchBytes([{ name: 'w', key: '7', storage: 'FloatStorage', numel: 1, shape: [1] }], {})
  assert.match(refusal(missing), /storage "7" with no zip entry archive\/data\/7/)
  const past = torchBytes([{ name: 'w', key: '0', storage: 'FloatStorage', numel: 4, shape: [2, 2], offset: 2 }], { 0: f32(1, 2, 3, 4) })
  assert.match(refusal(past), /at storage offset 2 reaching element 5, past the end of storage "0" \(4 elements\)/)
  const strided = torchBytes([{ name: 'w', key: '0', storage: 'FloatStorage', numel: 4, shape: [2, 2], stride: [1, 3] }], { 0: f32(1, 2, 3, 4) })
  assert.match(refusal(strided), /reaching element 4, past the end/)
  const unknownType = torchBytes([{ name: 'w', key: '0', storage: 'ComplexFloatStorage', numel: 1, shape: [1] }], { 0: f32(1, 2) })
  assert.match(refusal(unknownType), /GLOBAL torch\.ComplexFloatStorage, which is outside the allow-list/)
})

test('int64 values beyond int32 are refused naming the tensor and the value', () => {
  const big = new Uint8Array(new BigInt64Array([1n, 1n << 40n]).buffer)
  const file = open(torchBytes([{ name: 'steps', key: '0', storage: 'LongStorage', numel: 2, shape: [2] }], { 0: big }))
  const [entry] = E.getOrElseW(() => [])(stateDictAt(file, ''))
  const t = file.readTensor(entry![1], 'steps')
  assert.ok(E.isLeft(t))
  assert.match(t.left.message, /tensor steps: expected I64 values that fit int32, got 1099511627776 at element 1/)
})

test('a 1 GiB checkpoint is read one tensor at a time: peak RSS stays far below the file size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'torch-lazy-'))
  try {
    const path = join(dir, 'big.pth.tar')
    const count = 64
    const numel = 4 * 1024 * 1024 // 16 MiB of float32 per tensor
    const size = writeSparseTorchFile(path, count, numel, 1.5)
    assert.ok(size > 1024 ** 3)
    const child = fileURLToPath(new URL('./torch-lazy-child.ts', import.meta.url))
    const r = spawnSync(process.execPath, ['--import', 'tsx', child, path], { encoding: 'utf8', timeout: 120_000 })
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { tensors: number; sum: number; first: number; maxRssBytes: number }
    assert.equal(out.tensors, count)
    assert.equal(out.first, 1.5, 'the first tensor holds the marker written at its first element')
    assert.equal(out.sum, 1.5, 'every other element is zero')
    console.log(`lazy read: ${(size / 2 ** 20).toFixed(0)} MiB file, peak RSS ${(out.maxRssBytes / 2 ** 20).toFixed(0)} MiB`)
    assert.ok(out.maxRssBytes < size / 4, `peak RSS ${out.maxRssBytes} bytes must stay under a quarter of the ${size}-byte file`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('torchSaveBytes writes what the reader reads back: nested dicts, OrderedDicts, tuples, lists, ints, floats, tensors', () => {
  const w = { dtype: 'F32' as const, shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, -0, 6]) }
  const i = { dtype: 'I32' as const, shape: [2], data: new Int32Array([7, -8]) }
  const bytes = torchSaveBytes(new PyDict([
    ['sd', new PyDict([['module.w', w], ['module.i', i]], true)],
    ['epoch', 3], ['lr', new PyFloat(1)], ['big', 2 ** 40], ['neg', -(2 ** 40)], ['none', null], ['t', new PyTuple([0.5, [true, 'x']])],
    [0, 'int key'],
  ]), 'exported')
  const file = open(bytes)
  const root = file.root as PickleDict
  assert.deepEqual(plain(root), { sd: plain(root.entries.get('sd')!), epoch: 3, lr: 1, big: 2 ** 40, neg: -(2 ** 40), none: null, t: [0.5, [true, 'x']], 0: 'int key' })
  assert.equal((root.entries.get('sd') as PickleDict).className, 'collections.OrderedDict')
  const entries = E.getOrElseW(() => assert.fail('sd'))(stateDictAt(file, 'sd'))
  assert.deepEqual(entries.map(([n]) => n), ['module.w', 'module.i'])
  const [rw, ri] = entries.map(([, ref]) => E.getOrElseW(() => assert.fail('tensor'))(file.readTensor(ref)))
  assert.ok(rw!.data.every((x, k) => Object.is(x, w.data[k])) && rw!.shape.join() === '2,3', 'float32 bit-exact, -0 kept')
  assert.deepEqual([...ri!.data], [7, -8])
  assert.throws(() => torchSaveBytes(new PyDict([['bad', { dtype: 'F32', shape: [3], data: new Float32Array(2) }]])), /tensor bad: data holds 2 elements, shape \[3\] needs 3/)
})
