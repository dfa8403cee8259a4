/**
 * `checkLayer(layer, options)`: the laws every layer value must obey, checked on generated inputs
 * with shrinking. Any layer built with `makeLayer` (or written by hand to the `Layer` contract of
 * `@jepa-ts/core`) can be checked; the input arbitrary states the layer's input contract (batch on
 * axis 0).
 *
 * Laws (ids as they appear in a `LawViolation`):
 * - `infer-agrees`: `infer` accepts every generated input; `init` gives the same output shape and
 *   exactly the param paths, shapes and count `infer` declared; `apply` returns that shape; with a
 *   `countFlops` counter, the executed FLOPs equal the declared ones.
 * - `param-paths`: every path segment is a plain name (letters, digits, `_`), paths are unique, and
 *   the paths and shapes do not change with the key or the batch size.
 * - `deterministic`: the same key gives bit-identical params, and bit-identical outputs in training
 *   and in evaluation.
 * - `eval-ignores-key`: with `training: false` the output does not depend on the runtime key.
 * - `batch-independence`: sample 0's output does not change when the other samples change.
 * - `token-equivariance` (only with `tokenAxis`): permuting the tokens permutes the output the same way.
 * - `finite`: bounded inputs (zeros and constants included) give finite outputs and finite gradients
 *   with respect to the input and every param.
 * - `no-leak`: init + apply (training and eval) + a gradient leave no tensor behind once the caller
 *   disposes what it owns (params, input, output).
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import {
  type AnyLayer,
  type AnyValue,
  type Ctx,
  type Dims,
  type DimsSig,
  type Key,
  type Layer,
  type ParamTree,
  type Sig,
  type SpecTree,
  countParams,
  countSpecs,
  disposeTree,
  flatten,
  fold,
  formatDims,
  isSpec,
  keyOf,
  unflatten,
  uniform,
} from '@jepa-ts/core'
import { type InputFill, fillValues, inputFillArb, seedArb } from './arbitraries.ts'
import { type LawReport, type LawResult, type RunOptions, ensure, holds } from './law-error.ts'
import { bitDifference, closeDifference, host, inScope, liveTensors, nonFinite, showShape, treeBitDifference } from './tensors.ts'

/** The laws `checkLayer` knows. */
export const layerLawNames = ['infer-agrees', 'param-paths', 'deterministic', 'eval-ignores-key', 'batch-independence', 'token-equivariance', 'finite', 'no-leak'] as const
export type LayerLaw = (typeof layerLawNames)[number]

/** Options of `checkLayer`. */
export interface CheckLayerOptions extends RunOptions {
  /** Input shapes that fit the layer's contract (e.g. `tokensArb(16)`); axis 0 is the batch. */
  readonly inputs: fc.Arbitrary<Dims>
  /** Declares token-permutation equivariance along this axis (e.g. 1 for `[B, N, D]`). */
  readonly tokenAxis?: number
  /** False for a layer that mixes samples on purpose (batch norm in training); default true. */
  readonly batchIndependent?: boolean
  /** Inputs are drawn in [−bound, bound] (default 3). */
  readonly bound?: number
  /** Tolerance of the non-bit-exact comparisons: |a − b| ≤ atol + rtol·|b| (defaults 1e-5, 1e-4). */
  readonly atol?: number
  readonly rtol?: number
  /**
   * An executed-FLOPs counter (optional): runs `run` and returns the FLOPs it executed. When given,
   * `infer-agrees` also checks that it equals the FLOPs `infer` declares.
   */
  readonly countFlops?: (run: () => void) => number
  /** Only these laws (default: all that apply). */
  readonly laws?: readonly LayerLaw[]
}

/** One generated case: an input shape, how it is filled, the key. */
export interface LayerCase {
  readonly dims: Dims
  readonly fill: InputFill
  readonly seed: number
}

const showFill = (f: InputFill, bound: number): string =>
  f.kind === 'zeros' ? 'zeros' : f.kind === 'constant' ? `all ${f.value}` : `uniform in [−${bound}, ${bound}] from seed ${f.seed}`

/** Text of a case: `input [2, 3, 4] (zeros), key keyOf(0)`. */
export const showLayerCase = (c: LayerCase, bound = 3): string => `input ${showShape(c.dims)} (${showFill(c.fill, bound)}), key keyOf(${c.seed})`

const outputs = (v: AnyValue): tf.Tensor[] => (v instanceof tf.Tensor ? [v] : [...v])

const specEntries = (specs: SpecTree, prefix = ''): Array<readonly [string, Dims]> =>
  Object.entries(specs).flatMap(([k, v]) => {
    const path = prefix === '' ? k : `${prefix}.${k}`
    return isSpec(v) ? [[path, v.shape] as const] : specEntries(v, path)
  })

const SEGMENT = /^[A-Za-z0-9_]+$/

/** The subject text of a layer: `layer "attn" (attention)`. */
export const layerSubject = (l: AnyLayer): string => `layer ${l.name === '' ? '<root>' : `"${l.name}"`} (${l.kind})`

/** Checks every law on `layer`; returns what ran, throws `LawViolation` with a shrunk case on the first law that fails. */
export const checkLayer = <In extends Sig, Out extends Sig>(layer: Layer<In, Out>, options: CheckLayerOptions): LawReport => {
  const l = layer as unknown as AnyLayer
  const bound = options.bound ?? 3
  const atol = options.atol ?? 1e-5
  const rtol = options.rtol ?? 1e-4
  const subject = layerSubject(l)
  const numRuns = options.numRuns ?? 12
  const caseArb: fc.Arbitrary<LayerCase> = fc.record({ dims: options.inputs, fill: inputFillArb(bound), seed: seedArb })
  const run = (law: LayerLaw, predicate: (c: LayerCase) => void, arb: fc.Arbitrary<LayerCase> = caseArb): LawResult =>
    holds(law, subject, arb, predicate, { numRuns, ...(options.seed === undefined ? {} : { seed: options.seed }), show: (c) => showLayerCase(c, bound) })
  const wanted = (law: LayerLaw): boolean => options.laws === undefined || options.laws.includes(law)

  const x = (c: LayerCase): tf.Tensor => tf.tensor(fillValues(c.fill, c.dims, bound), [...c.dims], 'float32')
  const ctx = (seed: number, training: boolean): Ctx => ({ key: keyOf(seed), training })
  const initOf = (key: Key, dims: DimsSig): { readonly outDims: DimsSig; readonly params: ParamTree } => {
    const r = l.init(key, dims)
    if (E.isLeft(r)) throw new Error(`init rejected the input ${formatDims(dims)}: ${r.left.message}`)
    return r.right
  }
  const applyHost = (params: ParamTree, input: tf.Tensor, c: Ctx) => inScope(() => outputs(l.apply(params, input, c)).map(host))

  const laws: LawResult[] = []

  if (wanted('infer-agrees'))
    laws.push(
      run('infer-agrees', (c) =>
        inScope(() => {
          const inf = l.infer(c.dims, l.name)
          ensure(E.isRight(inf), () => `infer rejects the input ${showShape(c.dims)} the contract allows: ${E.isLeft(inf) ? inf.left.message : ''}`)
          if (E.isLeft(inf)) return
          const { outDims, params } = initOf(keyOf(c.seed), c.dims)
          ensure(formatDims(outDims) === formatDims(inf.right.outDims), () => `init says output ${formatDims(outDims)}, infer says ${formatDims(inf.right.outDims)}`)
          const declared = specEntries(inf.right.params)
          const made = flatten(params).map(([p, t]) => [p, t.shape] as const)
          const text = (es: ReadonlyArray<readonly [string, readonly number[]]>): string => es.map(([p, s]) => `${p} ${showShape(s)}`).join(', ')
          ensure(text(declared) === text(made), () => `infer declares params {${text(declared)}}, init creates {${text(made)}}`)
          ensure(countParams(params) === countSpecs(inf.right.params), () => `init creates ${countParams(params)} params, infer counts ${countSpecs(inf.right.params)}`)
          const ys = outputs(l.apply(params, x(c), ctx(c.seed, false)))
          const got = ys.length === 1 ? showShape(ys[0]!.shape) : `(${ys.map((y) => showShape(y.shape)).join(', ')})`
          ensure(got === formatDims(outDims), () => `apply returns ${got}, infer says ${formatDims(outDims)}`)
          if (options.countFlops !== undefined) {
            const input = x(c)
            const executed = options.countFlops(() => void inScope(() => outputs(l.apply(params, input, ctx(c.seed, false)))))
            ensure(executed === inf.right.flops, () => `executed ${executed} FLOPs, infer declares ${inf.right.flops}`)
          }
        }),
      ),
    )

  if (wanted('param-paths'))
    laws.push(
      run('param-paths', (c) => {
        const shapesAt = (dims: Dims): string[] => {
          const inf = l.infer(dims, l.name)
          if (E.isLeft(inf)) throw new Error(`infer rejects ${showShape(dims)}: ${inf.left.message}`)
          return specEntries(inf.right.params).map(([p, s]) => `${p} ${showShape(s)}`)
        }
        const inf = l.infer(c.dims, l.name)
        if (E.isRight(inf)) {
          const walk = (t: SpecTree, prefix: string): void => {
            for (const [k, v] of Object.entries(t)) {
              const path = prefix === '' ? k : `${prefix}.${k}`
              ensure(SEGMENT.test(k), () => `the param path segment "${k}" (in "${path}") is not a plain name (letters, digits, _): it breaks dotted state_dict paths`)
              if (!isSpec(v)) walk(v, path)
            }
          }
          walk(inf.right.params, '')
          const paths = specEntries(inf.right.params).map(([p]) => p)
          const dup = paths.find((p, i) => paths.indexOf(p) !== i)
          ensure(dup === undefined, () => `the param path "${dup}" appears twice`)
        }
        const here = shapesAt(c.dims)
        const bigger = [c.dims[0]! + 1, ...c.dims.slice(1)]
        const there = shapesAt(bigger)
        ensure(here.join(', ') === there.join(', '), () => `params depend on the batch size: at ${showShape(c.dims)} {${here.join(', ')}}, at ${showShape(bigger)} {${there.join(', ')}}`)
        inScope(() => {
          const a = flatten(initOf(keyOf(c.seed), c.dims).params).map(([p, t]) => `${p} ${showShape(t.shape)}`)
          const b = flatten(initOf(fold(keyOf(c.seed), 'other'), c.dims).params).map(([p, t]) => `${p} ${showShape(t.shape)}`)
          ensure(a.join(', ') === b.join(', '), () => `param paths depend on the key: {${a.join(', ')}} vs {${b.join(', ')}}`)
        })
      }),
    )

  if (wanted('deterministic'))
    laws.push(
      run('deterministic', (c) =>
        inScope(() => {
          const a = initOf(keyOf(c.seed), c.dims).params
          const b = initOf(keyOf(c.seed), c.dims).params
          const dp = treeBitDifference(a, b)
          ensure(dp === undefined, () => `two inits with key keyOf(${c.seed}) give different params at ${dp}`)
          const input = x(c)
          for (const training of [false, true]) {
            const y1 = applyHost(a, input, ctx(c.seed + 1, training))
            const y2 = applyHost(a, input, ctx(c.seed + 1, training))
            y1.forEach((y, i) => {
              const d = bitDifference(y, y2[i]!)
              ensure(d === undefined, () => `two applies with the same params, input and key (training: ${training}) differ at output ${i} ${d}`)
            })
          }
        }),
      ),
    )

  if (wanted('eval-ignores-key'))
    laws.push(
      run('eval-ignores-key', (c) =>
        inScope(() => {
          const { params } = initOf(keyOf(c.seed), c.dims)
          const input = x(c)
          const y1 = applyHost(params, input, ctx(c.seed + 1, false))
          const y2 = applyHost(params, input, { key: fold(keyOf(c.seed + 1), 'another key'), training: false })
          y1.forEach((y, i) => {
            const d = bitDifference(y, y2[i]!)
            ensure(d === undefined, () => `with training: false, two runtime keys give different outputs (output ${i} ${d})`)
          })
        }),
      ),
    )

  if (wanted('batch-independence') && options.batchIndependent !== false)
    laws.push(
      run(
        'batch-independence',
        (c) =>
          inScope(() => {
            const { params } = initOf(keyOf(c.seed), c.dims)
            const B = c.dims[0]!
            const per = c.dims.slice(1).reduce((a, b) => a * b, 1)
            const base = fillValues(c.fill, c.dims, bound)
            const other = Float32Array.from(base)
            const noise = uniform(fold(keyOf(c.seed), 'batch-mates'), (B - 1) * per)
            for (let i = per; i < B * per; i++) other[i] = (2 * noise[i - per]! - 1) * bound
            const y1 = applyHost(params, tf.tensor(base, [...c.dims]), ctx(c.seed, false))
            const y2 = applyHost(params, tf.tensor(other, [...c.dims]), ctx(c.seed, false))
            y1.forEach((y, i) => {
              const n = y.data.length / B
              const first = (h: typeof y) => ({ shape: h.shape.slice(1), data: h.data.slice(0, n) })
              const d = closeDifference(first(y), first(y2[i]!), atol, rtol)
              ensure(d === undefined, () => `sample 0's output ${i} changes when the other ${B - 1} sample(s) change: ${d}`)
            })
          }),
        caseArb.map((c) => ({ ...c, dims: [Math.max(2, c.dims[0]!), ...c.dims.slice(1)] })),
      ),
    )

  if (wanted('token-equivariance') && options.tokenAxis !== undefined) {
    const axis = options.tokenAxis
    laws.push(
      run('token-equivariance', (c) =>
        inScope(() => {
          const N = c.dims[axis]
          ensure(N !== undefined, () => `tokenAxis ${axis} is not an axis of the input ${showShape(c.dims)}`)
          const u = uniform(fold(keyOf(c.seed), 'permutation'), N!)
          const perm = [...u.keys()].sort((i, j) => u[i]! - u[j]!)
          const idx = tf.tensor1d(perm, 'int32')
          const { params } = initOf(keyOf(c.seed), c.dims)
          const input = x(c)
          const permutedThenApplied = applyHost(params, tf.gather(input, idx, axis), ctx(c.seed, false))
          const appliedThenPermuted = inScope(() => outputs(l.apply(params, input, ctx(c.seed, false))).map((y) => host(tf.gather(y, idx, axis))))
          permutedThenApplied.forEach((y, i) => {
            const d = closeDifference(y, appliedThenPermuted[i]!, atol, rtol)
            ensure(d === undefined, () => `f(permute(x)) ≠ permute(f(x)) along axis ${axis} for the permutation [${perm.join(', ')}] (output ${i} ${d})`)
          })
        }),
      ),
    )
  }

  if (wanted('finite'))
    laws.push(
      run('finite', (c) =>
        inScope(() => {
          const { params } = initOf(keyOf(c.seed), c.dims)
          const input = x(c)
          applyHost(params, input, ctx(c.seed, false)).forEach((y, i) => {
            const d = nonFinite(y)
            ensure(d === undefined, () => `output ${i}: ${d}`)
          })
          const leaves = flatten(params)
          const { grads } = tf.engine().gradients(
            () =>
              outputs(l.apply(unflatten(leaves), input, ctx(c.seed, false))).reduce<tf.Scalar>(
                (s, y) => tf.add(s, tf.sum(tf.mul(y, tf.tensor(uniform(fold(keyOf(c.seed), 'cotangent'), y.size).map((v) => v - 0.5), y.shape)))),
                tf.scalar(0),
              ),
            [input, ...leaves.map(([, t]) => t)],
            undefined,
            true,
          )
          const names = ['the input', ...leaves.map(([p]) => `param ${p}`)]
          grads.forEach((g, i) => {
            if (g === undefined || g === null) return
            const d = nonFinite(host(g))
            ensure(d === undefined, () => `gradient with respect to ${names[i]}: ${d}`)
          })
        }),
      ),
    )

  if (wanted('no-leak'))
    laws.push(
      run('no-leak', (c) => {
        const once = (): void => {
          const { params } = initOf(keyOf(c.seed), c.dims)
          const input = x(c)
          // An output that is the input itself (an identity in evaluation) stays the caller's input.
          for (const training of [false, true]) tf.dispose(outputs(l.apply(params, input, ctx(c.seed, training))).filter((y) => y !== input))
          // Autodiff keeps the forward pass's saved tensors until its scope ends (tfjs asks for
          // gradients inside a tidy), so the gradient runs in a scope: this checks it leaves nothing
          // outside that scope, e.g. a tensor a custom gradient keeps.
          const leaves = flatten(params)
          const kept = inScope(() => {
            const g = tf.engine().gradients(() => outputs(l.apply(unflatten(leaves), input, ctx(c.seed, false))).reduce<tf.Scalar>((s, y) => tf.add(s, tf.sum(y)), tf.scalar(0)), [input, ...leaves.map(([, t]) => t)], undefined, true)
            return g.grads.length
          })
          void kept
          input.dispose()
          disposeTree(params)
        }
        once() // warm-up: kernels may cache constants on first use
        const before = liveTensors()
        once()
        const after = liveTensors()
        ensure(after === before, () => `init + apply (training and eval) + gradient leave ${after - before} tensor(s) alive after the params, input, outputs and gradients are disposed`)
      }),
    )

  return { subject, laws }
}
