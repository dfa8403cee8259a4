/**
 * Random access to the bytes of a file (node side) or of an in-memory buffer, one positioned read
 * at a time — how the `torch.save` reader loads a multi-GB checkpoint one tensor at a time.
 *
 * Contract: `read(position, length)` returns exactly `length` new bytes (a fresh Uint8Array that
 * owns its buffer from offset 0) or throws a RangeError naming the range and the size when the
 * range is not inside `[0, size)`. A file source keeps one descriptor open until `close()`; reads
 * never load more than the range asked for.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'

/** Bytes that can be read at any position. */
export interface RandomAccessSource {
  /** Path of the file, or `<bytes>`. */
  readonly name: string
  /** Size in bytes. */
  readonly size: number
  read(position: number, length: number): Uint8Array
  close(): void
}

const checkRange = (name: string, size: number, position: number, length: number): void => {
  if (!(Number.isSafeInteger(position) && Number.isSafeInteger(length) && position >= 0 && length >= 0 && position + length <= size)) {
    throw new RangeError(`${name}: read of ${length} bytes at ${position} is outside the ${size} bytes of the file`)
  }
}

/** A source over bytes in memory. */
export const bytesSource = (bytes: Uint8Array, name = '<bytes>'): RandomAccessSource => ({
  name,
  size: bytes.byteLength,
  read: (position, length) => {
    checkRange(name, bytes.byteLength, position, length)
    return bytes.slice(position, position + length)
  },
  close: () => undefined,
})

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
