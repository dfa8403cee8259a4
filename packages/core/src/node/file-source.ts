/**
 * `fileSource(path)`: random access to a file's bytes with positioned reads (the contract of
 * `RandomAccessSource`): one descriptor open until `close()`; reads never load more than the range
 * asked for. Node side.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { type RandomAccessSource, checkRange } from '../io/random-access.ts'

/** A source over a file, read with positioned reads; throws the system's error when it cannot be opened. */
export const fileSource = (path: string): RandomAccessSource => {
  const fd = openSync(path, 'r')
  let size: number
  try {
    size = fstatSync(fd).size
  } catch (e) {
    closeSync(fd)
    throw e
  }
  let open = true
  return {
    name: path,
    size,
    read: (position, length) => {
      if (!open) throw new Error(`${path}: read after close`)
      checkRange(path, size, position, length)
      const out = new Uint8Array(length)
      let done = 0
      while (done < length) {
        const n = readSync(fd, out, done, length - done, position + done)
        if (n === 0) throw new RangeError(`${path}: the file ended at ${position + done} (it was ${size} bytes when opened)`)
        done += n
      }
      return out
    },
    close: () => {
      if (open) closeSync(fd)
      open = false
    },
  }
}
