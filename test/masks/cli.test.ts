import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultFashionDir, masksProgram, readIdxImage } from '../../packages/cli/src/commands/masks.ts'

/** Runs `jepa masks …` in-process; returns what it wrote and the error it raised, if any. */
const run = async (...args: string[]): Promise<{ out: string; err: string; failed: boolean }> => {
  const program = masksProgram()
  let out = ''
  let err = ''
  for (const c of [program, ...program.commands]) {
    c.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) })
  }
  try {
    await program.parseAsync(['node', 'jepa', 'masks', ...args])
    return { out, err, failed: false }
  } catch {
    return { out, err, failed: true }
  }
}

const dir = mkdtempSync(join(tmpdir(), 'jepa-masks-'))
test.after(() => rmSync(dir, { recursive: true, force: true }))

test('jepa masks writes a PNG or an SVG chosen by the extension, and reports what the collator produced', async () => {
  const png = join(dir, 'm.png')
  const r = await run('--strategy', 'multi-block', '--grid', '14', '--seed', '3', '--image', 'none', '--out', png)
  assert.equal(r.failed, false, r.err)
  assert.deepEqual([...readFileSync(png).subarray(1, 4)], [0x50, 0x4e, 0x47])
  assert.match(r.out, /multi-block: context \d+ tokens per image, 4 target\(s\) × \d+ tokens after cutting; 0 relaxation\(s\)/)
  const svg = join(dir, 'm.svg')
  const s = await run('--strategy', 'all', '--grid', '8x6', '--batch', '2', '--image', 'none', '--settings', '{"minKeep":4}', '--out', svg)
  assert.equal(s.failed, false, s.err)
  const text = readFileSync(svg, 'utf8')
  assert.ok(text.startsWith('<svg') && text.includes('multi-block-corrected') && text.includes('random'))
  assert.equal(s.out.split('\n').filter((l) => /^[a-z-]+: context/.test(l)).length, 5)
})

test('jepa masks draws Fashion-MNIST test images when the dataset is there, and names the file when it is not', async () => {
  const file = join(defaultFashionDir, 't10k-images-idx3-ubyte.gz')
  if (existsSync(file)) {
    const img = readIdxImage(file, 0)
    assert.ok(img._tag === 'Right' && img.right.width === 28 && img.right.height === 28 && img.right.data.length === 784)
    const r = await run('--image', '9998', '--batch', '2', '--out', join(dir, 'f.png'))
    assert.equal(r.failed, false, r.err)
    const past = await run('--image', '9999', '--batch', '2', '--out', join(dir, 'g.png'))
    assert.match(past.err, /--image: index 10000 is outside the 10000 images/)
  }
  const missing = await run('--data', join(dir, 'nowhere'), '--out', join(dir, 'h.png'))
  assert.ok(missing.failed)
  assert.match(missing.err, /nowhere\/t10k-images-idx3-ubyte\.gz: cannot read/)
})

test('bad options are reported naming the flag or the settings field', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--grid', '0x3'], /--grid: expected positive grid sides, got "0x3"/],
    [['--grid', 'big'], /--grid: expected a grid like 14 or 14x10/],
    [['--seed', '-1'], /--seed: expected a non-negative integer, got "-1"/],
    [['--batch', '0'], /--batch: expected a positive integer, got "0"/],
    [['--strategy', 'quadrants'], /--strategy: expected one of multi-block, multi-block-corrected, rasterized, block, random, all, got "quadrants"/],
    [['--image', 'first'], /--image: expected a non-negative integer, got "first"/],
    [['--out', join(dir, 'm.jpg')], /--out: expected a file ending in \.png or \.svg/],
    [['--settings', '{minKeep'], /--settings: expected JSON/],
    [['--settings', '{"minKeep":-1}'], /--settings: Expecting NonNegativeInt at masks\.minKeep but instead got: -1/],
    [['--grid', '7'], /--settings: masks\.minKeep \(10\) must be below the smallest target block/],
    [['--settings', '{"nTarget":4}'], /unknown key "nTarget" at masks \(did you mean "nTargets"\?\)/],
    [['--strategy', 'all', '--settings', '{"nTarget":4}'], /--settings: unknown key "nTarget" for every strategy \(known keys: nTargets, /],
    [['--strategy', 'random', '--settings', '{"minKeep":4}'], /unknown key "minKeep" at masks/],
  ]
  for (const [args, message] of cases) {
    const withOut = args.includes('--out') ? args : [...args, '--out', join(dir, 'x.png')]
    const r = await run('--image', 'none', ...withOut)
    assert.ok(r.failed, `${args.join(' ')} should fail`)
    assert.match(r.err, message, `${args.join(' ')}`)
  }
  const noOut = await run('--image', 'none')
  assert.match(noOut.err, /required option '--out <file>' not specified/)
})
