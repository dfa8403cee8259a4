/** Shared helpers of the data tests: temp dirs and small generated IDX files. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { encodeIdx } from '@jepa-ts/data'

/** Runs `body` with a fresh temp dir, removed afterwards. */
export const withTempDir = async <A>(body: (dir: string) => A | Promise<A>): Promise<A> => {
  const dir = mkdtempSync(join(tmpdir(), 'jepa-data-'))
  try {
    return await body(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Writes a tiny Fashion-MNIST split (n images of h×w, labels i mod 10) into `dir`. */
export const writeTinyFashionMnist = (
  dir: string,
  split: 'train' | 'test',
  options: { readonly n: number; readonly labelCount?: number; readonly h?: number; readonly w?: number; readonly gzip?: boolean },
): { readonly images: string; readonly labels: string; readonly pixels: Uint8Array } => {
  const { n, h = 4, w = 3, gzip = true } = options
  const stem = split === 'train' ? 'train' : 't10k'
  const pixels = Uint8Array.from({ length: n * h * w }, (_, i) => (i * 7) % 256)
  const labelCount = options.labelCount ?? n
  const labelBytes = Uint8Array.from({ length: labelCount }, (_, i) => i % 10)
  const ext = gzip ? '.gz' : ''
  const images = join(dir, `${stem}-images-idx3-ubyte${ext}`)
  const labels = join(dir, `${stem}-labels-idx1-ubyte${ext}`)
  const pack = (b: Uint8Array): Uint8Array => (gzip ? gzipSync(b) : b)
  writeFileSync(images, pack(encodeIdx([n, h, w], pixels)))
  writeFileSync(labels, pack(encodeIdx([labelCount], labelBytes)))
  return { images, labels, pixels }
}
