/**
 * Explicit, splittable PRNG keys (counter-based Threefry-2x32, 20 rounds, as in JAX).
 *
 * Contract: a `Key` is an immutable pair of uint32 words. Every random draw is a pure function of a
 * key and a counter, so the same key always yields the same numbers on every backend. Keys are
 * derived, never reused: `fold(key, data)` mixes a string or integer into a key, `split(key, n)`
 * gives n independent keys, and `stream(key, purpose)` names a purpose (`params`, `dropout`, `mask`,
 * `augment`). `toSeed` is the only bridge to tfjs seeds and never returns 0 (tfjs treats seed 0 as
 * "unseeded").
 *
 * @example
 * import { keyOf, stream, uniform } from '@jepa-ts/core'
 * const k = stream(keyOf(42), 'mask')
 * const u = uniform(k, 4) // Float32Array of 4 numbers in [0, 1), identical on every run
 * console.assert(u.length === 4)
 */

/** An immutable PRNG key: two uint32 words. */
export interface Key {
  readonly hi: number
  readonly lo: number
}

/** The purposes a key stream is named for; free-form strings are allowed for new purposes. */
export type KeyPurpose = 'params' | 'dropout' | 'mask' | 'augment' | 'data' | (string & {})

const ROT = [13, 15, 26, 6, 17, 29, 16, 24] as const
const PARITY = 0x1bd11bda

const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0

/** Threefry-2x32 (20 rounds): encrypts the counter pair (c0, c1) under the key (k0, k1). */
export const threefry2x32 = (k0: number, k1: number, c0: number, c1: number): readonly [number, number] => {
  const ks = [k0 >>> 0, k1 >>> 0, (k0 ^ k1 ^ PARITY) >>> 0]
  let x0 = (c0 + ks[0]!) >>> 0
  let x1 = (c1 + ks[1]!) >>> 0
  for (let block = 0; block < 5; block++) {
    for (let r = 0; r < 4; r++) {
      x0 = (x0 + x1) >>> 0
      x1 = rotl(x1, ROT[(block % 2) * 4 + r]!) ^ x0
    }
    const s = block + 1
    x0 = (x0 + ks[s % 3]!) >>> 0
    x1 = (x1 + ks[(s + 1) % 3]! + s) >>> 0
  }
  return [x0, x1]
}

/** A key from a non-negative integer seed (any integer is accepted; it is hashed, not used raw). */
export const keyOf = (seed: number): Key => {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`keyOf: seed must be a safe integer, got ${seed}`)
  const hi = Math.floor(seed / 0x100000000) >>> 0
  const lo = seed >>> 0
  const [a, b] = threefry2x32(0, 0, hi, lo)
  return { hi: a, lo: b }
}

/** FNV-1a over UTF-16 code units: a stable 32-bit hash of a name. */
const hashString = (s: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

/** Mixes a string or a uint32 into a key; distinct data give independent keys. */
export const fold = (key: Key, data: string | number): Key => {
  const [tag, word] = typeof data === 'string' ? [1, hashString(data)] : [2, data >>> 0]
  const [a, b] = threefry2x32(key.hi, key.lo, tag, word)
  return { hi: a, lo: b }
}

/** A key for a named purpose (`params`, `dropout`, `mask`, `augment`, …). */
export const stream = (key: Key, purpose: KeyPurpose): Key => fold(key, `stream:${purpose}`)

/** n independent keys. */
export const split = (key: Key, n: number): Key[] => Array.from({ length: n }, (_, i) => fold(key, i))

/** The `i`-th block of random bits under `key`: counter-mode Threefry. */
export const bits = (key: Key, n: number): Uint32Array => {
  const out = new Uint32Array(n)
  for (let i = 0; i < n; i += 2) {
    const [a, b] = threefry2x32(key.hi, key.lo, 0, i >>> 1)
    out[i] = a
    if (i + 1 < n) out[i + 1] = b
  }
  return out
}

/** n floats uniform in [0, 1) (24-bit resolution, so 1 is never produced). */
export const uniform = (key: Key, n: number): Float32Array => {
  const b = bits(key, n)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = (b[i]! >>> 8) / 16777216
  return out
}

/** n doubles uniform in [0, 1) with 53-bit resolution (two words per number). */
export const uniform64 = (key: Key, n: number): Float64Array => {
  const b = bits(key, 2 * n)
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = ((b[2 * i]! >>> 5) * 67108864 + (b[2 * i + 1]! >>> 6)) / 9007199254740992
  return out
}

/** A uniformly random permutation of 0..n−1 (Fisher–Yates over 53-bit uniforms from `key`). */
export const permutation = (key: Key, n: number): Int32Array => {
  const order = Int32Array.from({ length: n }, (_, i) => i)
  const u = uniform64(key, n)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u[i]! * (i + 1))
    const t = order[i]!
    order[i] = order[j]!
    order[j] = t
  }
  return order
}

/** One integer uniform in [lo, hi) (exclusive upper bound, like `torch.randint`). */
export const randint = (key: Key, lo: number, hi: number): number => {
  if (!(hi > lo)) throw new RangeError(`randint: empty range [${lo}, ${hi})`)
  return lo + Math.floor(uniform64(key, 1)[0]! * (hi - lo))
}

/** n standard normal samples (Box–Muller over 53-bit uniforms). */
export const normal = (key: Key, n: number): Float32Array => {
  const u = uniform64(key, n + (n % 2))
  const out = new Float32Array(n)
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u[i]!))
    const t = 2 * Math.PI * u[i + 1]!
    out[i] = r * Math.cos(t)
    if (i + 1 < n) out[i + 1] = r * Math.sin(t)
  }
  return out
}

/**
 * n samples of a normal with standard deviation `std`, truncated to [lo, hi] (in absolute units),
 * drawn by inverse-CDF sampling like PyTorch's `trunc_normal_`.
 */
export const truncatedNormal = (key: Key, n: number, std: number, lo = -2, hi = 2): Float32Array => {
  const u = uniform64(key, n)
  const cdf = (x: number): number => 0.5 * (1 + erf(x / Math.SQRT2))
  const a = cdf(lo / std)
  const b = cdf(hi / std)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const p = a + u[i]! * (b - a)
    const z = Math.SQRT2 * erfinv(2 * p - 1)
    out[i] = Math.min(hi, Math.max(lo, z * std))
  }
  return out
}

/** The error function (Abramowitz–Stegun 7.1.26, absolute error below 1.5e-7: enough for initializers). */
export const erf = (x: number): number => {
  const s = Math.sign(x)
  const a = Math.abs(x)
  const t = 1 / (1 + 0.3275911 * a)
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a)
  return s * y
}

/** Inverse error function (Giles' single-precision approximation, then two Newton steps). */
export const erfinv = (y: number): number => {
  if (y <= -1) return -Infinity
  if (y >= 1) return Infinity
  let w = -Math.log((1 - y) * (1 + y))
  let x: number
  if (w < 5) {
    w -= 2.5
    let p = 2.81022636e-8
    p = 3.43273939e-7 + p * w
    p = -3.5233877e-6 + p * w
    p = -4.39150654e-6 + p * w
    p = 0.00021858087 + p * w
    p = -0.00125372503 + p * w
    p = -0.00417768164 + p * w
    p = 0.246640727 + p * w
    p = 1.50140941 + p * w
    x = p * y
  } else {
    w = Math.sqrt(w) - 3
    let p = -0.000200214257
    p = 0.000100950558 + p * w
    p = 0.00134934322 + p * w
    p = -0.00367342844 + p * w
    p = 0.00573950773 + p * w
    p = -0.0076224613 + p * w
    p = 0.00943887047 + p * w
    p = 1.00167406 + p * w
    p = 2.83297682 + p * w
    x = p * y
  }
  for (let i = 0; i < 2; i++) {
    const err = erf(x) - y
    x -= err / ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x))
  }
  return x
}

/** A tfjs seed for this key: a positive integer below 2^31, never 0. */
export const toSeed = (key: Key): number => ((key.hi ^ key.lo) >>> 1) % 2147483646 + 1

/** A short, stable text form of a key (for checkpoints and logs). */
export const keyToString = (key: Key): string =>
  `${key.hi.toString(16).padStart(8, '0')}${key.lo.toString(16).padStart(8, '0')}`

/** Parses `keyToString`'s output; throws on anything else. */
export const keyFromString = (s: string): Key => {
  if (!/^[0-9a-f]{16}$/.test(s)) throw new SyntaxError(`keyFromString: expected 16 hex digits, got ${JSON.stringify(s)}`)
  return { hi: parseInt(s.slice(0, 8), 16) >>> 0, lo: parseInt(s.slice(8), 16) >>> 0 }
}
