/** Byte buffers: `concatBytes(parts)` joins them into one new Uint8Array, in order (inputs untouched). */

/** The parts one after another in a new array. */
export const concatBytes = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
