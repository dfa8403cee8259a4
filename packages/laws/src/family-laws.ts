/**
 * `checkFamily(family)`: the laws every SSL family (the `Family` contract of `@jepa-ts/train`) must
 * obey, checked on generated init keys, step keys and image batches with shrinking.
 *
 * Laws:
 * - `deterministic`: two `init`s from the same key are bit-identical, and one `step` from them with
 *   the same images and key gives bit-identical states and metrics.
 * - `target-no-gradient`: while a step runs, autodiff is never asked for a gradient with respect to
 *   a tensor of `state.target` (the EMA branch is not an argument of the differentiated function).
 * - `ema-between`: after a step, every element of a target leaf lies between its old value and the
 *   online param at the same path (old or new online value: both conventions pass), so the target
 *   moves towards the online network and nowhere else; a target leaf with no online counterpart
 *   stays unchanged.
 * - `no-leak`: a step leaves as many live tensors as before it (the old state is consumed, the new
 *   one replaces it), and `features` leaves none once its result is disposed.
 * - `features`: `features(state, images)` is `[B, featureDim]` and finite.
 * - `resume`: init → step → checkpoint (the safetensors bytes a run writes) → restore → step equals
 *   init → step → step, bit for bit (state and metrics).
 * Families without a target skip the two target laws (the report says so).
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { type Key, decodeSafetensors, flatten, fold, isTensor, keyOf, keyToString, subtree } from '@jepa-ts/core'
import { type CheckpointFile, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, checkpointBytes, checkpointState } from '@jepa-ts/train/node'
import { type Family, type StepMetrics, type TrainState, disposeState, stateToTree } from '@jepa-ts/train'
import { type ImageBatchCase, imageBatch, imageBatchArb, seedArb } from './arbitraries.ts'
import { type LawReport, type LawResult, type RunOptions, ensure, holds } from './law-error.ts'
import { host, liveTensors, nonFinite, showShape, treeBitDifference } from './tensors.ts'

/** Options of `checkFamily`. */
export interface CheckFamilyOptions extends RunOptions {
  /** Batch sizes to draw (default [2, 3]: batch statistics need two samples). */
  readonly batchSize?: readonly [number, number]
  /** Tolerance of `ema-between` (absolute, default 1e-6). */
  readonly atol?: number
}

/** One generated case: the init key, the keys of two steps and an image batch. */
export interface FamilyCase {
  readonly initSeed: number
  readonly stepSeed: number
  readonly images: ImageBatchCase
}

const showCase = (c: FamilyCase): string =>
  `init key keyOf(${c.initSeed}), step keys fold(keyOf(${c.stepSeed}), 0 | 1), images ${showShape(c.images.dims)} uniform from seed ${c.images.seed}`

const metricsDifference = (a: StepMetrics, b: StepMetrics): string | undefined => {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
  for (const k of keys) if (!Object.is(a[k], b[k])) return `metric ${k}: ${a[k]} vs ${b[k]}`
  return undefined
}

const withImages = <T>(c: FamilyCase, f: (images: tf.Tensor4D) => T): T => {
  const images = imageBatch(c.images)
  try {
    return f(images)
  } finally {
    images.dispose()
  }
}

/** Runs `f` while recording the tensors autodiff is asked to differentiate with respect to. */
const recordingGradientArgs = <T>(f: () => T): { readonly result: T; readonly differentiated: ReadonlySet<number> } => {
  const engine = tf.engine()
  const original = engine.gradients
  const bound = original.bind(engine)
  const differentiated = new Set<number>()
  const recording: typeof original = (g, xs, dy, allowNoGradients) => {
    for (const x of xs) differentiated.add(x.id)
    return bound(g, xs, dy, allowNoGradients)
  }
  engine.gradients = recording
  try {
    return { result: f(), differentiated }
  } finally {
    engine.gradients = original
  }
}

/** Checks every law of a family; throws `LawViolation` with a shrunk case on the first law that fails. */
export const checkFamily = (family: Family, options: CheckFamilyOptions = {}): LawReport => {
  const subject = `family "${family.name}"`
  const [H, W, C] = family.imageDims as readonly [number, number, number]
  const caseArb: fc.Arbitrary<FamilyCase> = fc.record({ initSeed: seedArb, stepSeed: seedArb, images: imageBatchArb([H, W, C], options.batchSize ?? [2, 3]) })
  const numRuns = options.numRuns ?? 2
  const atol = options.atol ?? 1e-6
  const run = (law: string, predicate: (c: FamilyCase) => void): LawResult =>
    holds(law, subject, caseArb, predicate, { numRuns, show: showCase, ...(options.seed === undefined ? {} : { seed: options.seed }) })
  const stepKey = (c: FamilyCase, i: number): Key => fold(keyOf(c.stepSeed), i)
  const laws: LawResult[] = []

  laws.push(
    run('deterministic', (c) =>
      withImages(c, (images) => {
        const a = family.init(keyOf(c.initSeed))
        const b = family.init(keyOf(c.initSeed))
        try {
          const d = treeBitDifference(stateToTree(a), stateToTree(b))
          ensure(d === undefined, () => `two inits with the same key differ at ${d}`)
        } catch (e) {
          disposeState(a)
          disposeState(b)
          throw e
        }
        const ra = family.step(a, images, stepKey(c, 0))
        const rb = family.step(b, images, stepKey(c, 0))
        try {
          const ds = treeBitDifference(stateToTree(ra.state), stateToTree(rb.state))
          ensure(ds === undefined, () => `two steps from the same state, images and key give different states at ${ds}`)
          ensure(ra.state.step === rb.state.step, () => `two steps give state.step ${ra.state.step} and ${rb.state.step}`)
          const dm = metricsDifference(ra.metrics, rb.metrics)
          ensure(dm === undefined, () => `two steps from the same state, images and key report different metrics: ${dm}`)
        } finally {
          disposeState(ra.state)
          disposeState(rb.state)
        }
      }),
    ),
  )

  const probe = family.init(keyOf(0))
  const hasTarget = flatten(probe.target).length > 0
  disposeState(probe)
  if (!hasTarget) {
    laws.push({ law: 'target-no-gradient', runs: 0, skipped: 'the family has no target' }, { law: 'ema-between', runs: 0, skipped: 'the family has no target' })
  } else {
    laws.push(
      run('target-no-gradient', (c) =>
        withImages(c, (images) => {
          const s = family.init(keyOf(c.initSeed))
          const targetIds = new Map(flatten(s.target).map(([p, t]) => [t.id, p] as const))
          const { result, differentiated } = recordingGradientArgs(() => family.step(s, images, stepKey(c, 0)))
          disposeState(result.state)
          const hit = [...differentiated].filter((id) => targetIds.has(id)).map((id) => `target.${targetIds.get(id)}`)
          ensure(hit.length === 0, () => `the step asks autodiff for gradients with respect to ${hit.slice(0, 4).join(', ')}${hit.length > 4 ? `, … (${hit.length} target tensors)` : ''}: the target branch must not be differentiated`)
        }),
      ),
    )
    laws.push(
      run('ema-between', (c) =>
        withImages(c, (images) => {
          const s = family.init(keyOf(c.initSeed))
          // Host copies of what the step will consume.
          const oldTarget = new Map(flatten(s.target).map(([p, t]) => [p, host(t)] as const))
          const oldOnline = new Map(flatten(s.params).map(([p, t]) => [p, host(t)] as const))
          const r = family.step(s, images, stepKey(c, 0))
          try {
            for (const [path, t] of flatten(r.state.target)) {
              const before = oldTarget.get(path)
              ensure(before !== undefined, () => `the step adds the target leaf ${path}`)
              const after = host(t)
              const online = subtree(r.state.params, path)
              if (online === undefined || !isTensor(online)) {
                const same = after.data.every((v, i) => Object.is(v, before!.data[i]))
                ensure(same, () => `target.${path} has no online counterpart, yet the step changed it`)
                continue
              }
              const next = host(online)
              const prev = oldOnline.get(path)
              ensure(next.shape.join() === after.shape.join(), () => `target.${path} ${showShape(after.shape)} and params.${path} ${showShape(next.shape)} differ in shape`)
              for (let i = 0; i < after.data.length; i++) {
                const vals = [before!.data[i]!, next.data[i]!, ...(prev === undefined ? [] : [prev.data[i]!])]
                const lo = Math.min(...vals) - atol
                const hi = Math.max(...vals) + atol
                const v = after.data[i]!
                ensure(v >= lo && v <= hi, () => `target.${path}[${i}] moved to ${v}, outside [${lo + atol}, ${hi - atol}] spanned by the old target ${before!.data[i]} and the online param (${prev === undefined ? '' : `old ${prev.data[i]}, `}new ${next.data[i]})`)
              }
            }
          } finally {
            disposeState(r.state)
          }
        }),
      ),
    )
  }

  laws.push(
    run('no-leak', (c) =>
      withImages(c, (images) => {
        // The first step may build lazy constants; the second is measured.
        let s = family.step(family.init(keyOf(c.initSeed)), images, stepKey(c, 0)).state
        try {
          const before = liveTensors()
          s = family.step(s, images, stepKey(c, 1)).state
          const afterStep = liveTensors()
          ensure(afterStep === before, () => `a step changes the live tensor count by ${afterStep - before} (${before} → ${afterStep}) though the new state replaces the old one`)
          tf.dispose(family.features(s, images))
          const afterFeatures = liveTensors()
          ensure(afterFeatures === afterStep, () => `features leaves ${afterFeatures - afterStep} tensor(s) alive after its result is disposed`)
        } finally {
          disposeState(s)
        }
      }),
    ),
  )

  laws.push(
    run('features', (c) =>
      withImages(c, (images) => {
        const s = family.init(keyOf(c.initSeed))
        try {
          const f = family.features(s, images)
          const h = host(f)
          f.dispose()
          const want = [c.images.dims[0], family.featureDim]
          ensure(h.shape.join() === want.join(), () => `features has shape ${showShape(h.shape)}, declared ${showShape(want)} ([B, featureDim])`)
          const d = nonFinite(h)
          ensure(d === undefined, () => `features: ${d}`)
        } finally {
          disposeState(s)
        }
      }),
    ),
  )

  laws.push(
    run('resume', (c) =>
      withImages(c, (images) => {
        const straight = family.step(family.step(family.init(keyOf(c.initSeed)), images, stepKey(c, 0)).state, images, stepKey(c, 1))
        const first = family.step(family.init(keyOf(c.initSeed)), images, stepKey(c, 0)).state
        let restored: TrainState
        try {
          restored = restore(family, first, keyOf(c.initSeed), c.images.dims[0])
        } finally {
          disposeState(first)
        }
        const resumed = family.step(restored, images, stepKey(c, 1))
        try {
          const d = treeBitDifference(stateToTree(straight.state), stateToTree(resumed.state))
          ensure(d === undefined, () => `step → checkpoint → restore → step differs from two steps in a row at ${d}`)
          ensure(straight.state.step === resumed.state.step, () => `state.step ${resumed.state.step} after resuming, ${straight.state.step} straight`)
          const dm = metricsDifference(straight.metrics, resumed.metrics)
          ensure(dm === undefined, () => `the step after resuming reports different metrics: ${dm}`)
        } finally {
          disposeState(straight.state)
          disposeState(resumed.state)
        }
      }),
    ),
  )

  return { subject, laws }
}

/** The state a run restores from the checkpoint bytes of `state` (the caller owns both). */
const restore = (family: Family, state: TrainState, key: Key, batchSize: number): TrainState => {
  const meta = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    family: family.name,
    config: null,
    step: state.step,
    key: keyToString(key),
    dataset: 'laws',
    datasetSize: batchSize,
    batchSize,
  } as const
  const decoded = decodeSafetensors(checkpointBytes(state, meta), 'laws checkpoint')
  if (E.isLeft(decoded)) throw new Error(`the checkpoint of ${family.name} does not decode: ${decoded.left.message}`)
  const file: CheckpointFile = { path: '<memory>', meta, tensors: decoded.right.tensors }
  const template = family.init(key)
  try {
    return checkpointState(file, stateToTree(template))
  } finally {
    disposeState(template)
  }
}
