/**
 * Random access to the bytes of an in-memory buffer (a file: `fileSource` in `@jepa-ts/core/node`), one positioned read
 * at a time — how the `torch.save` reader loads a multi-GB checkpoint one tensor at a time.
 *
 * Contract: `read(position, length)` returns exactly `length` new bytes (a fresh Uint8Array that
 * owns its buffer from offset 0) or throws a RangeError naming the range and the size when the
 * range is not inside `[0, size)`. A file source keeps one descriptor open until `close()`; reads
 * never load more than the range asked for.
 */
/** Bytes that can be read at any position. */
export interface RandomAccessSource {
  /** Path of the file, or `<bytes>`. */
  readonly name: string
  /** Size in bytes. */
  readonly size: number
  read(position: number, length: number): Uint8Array
  close(): void
}

/** Throws a RangeError unless [position, position + length) lies inside [0, size). */
export const checkRange = (name: string, size: number, position: number, length: number): void => {
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
