/**
 * Child process of the lazy-read test (torch-file.test.ts): opens the torch.save file given as
 * argv[2], reads every tensor of its state dict one at a time (keeping only a running sum and the
 * first element of the first tensor), and prints { tensors, sum, first, maxRssBytes } as JSON.
 */
import * as E from 'fp-ts/lib/Either.js'
// The reader's own module, not the @jepa-ts/core barrel: the barrel loads tfjs (~130 MiB of RSS) and
// the reader needs none of it.
import { stateDictAt } from '../../packages/core/src/io/torch-file.ts'
import { openTorchFile } from '../../packages/core/src/node/torch-file-open.ts'

const file = openTorchFile(process.argv[2]!)
if (E.isLeft(file)) throw new Error(file.left.message)
const entries = stateDictAt(file.right, '')
if (E.isLeft(entries)) throw new Error(entries.left.message)
let sum = 0
let first = Number.NaN
for (const [name, ref] of entries.right) {
  const t = file.right.readTensor(ref, name)
  if (E.isLeft(t)) throw new Error(t.left.message)
  if (Number.isNaN(first)) first = t.right.data[0]!
  for (let i = 0; i < t.right.data.length; i += 4096) sum += t.right.data[i]!
}
file.right.close()
console.log(JSON.stringify({ tensors: entries.right.length, sum, first, maxRssBytes: process.resourceUsage().maxRSS * 1024 }))
