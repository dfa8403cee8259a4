/**
 * The inputs every metric takes: a feature matrix `[N, D]` (N samples, D features), either a tfjs
 * `Tensor2D` or a host `Float32Array` with its shape, and for the supervised metrics integer labels
 * `Int32Array [N]` in `[0, numClasses)`.
 *
 * Ownership: the metrics never dispose or write into the matrices they are given; tensors they make
 * internally are theirs and are released before they return.
 * Validation (`checkMatrix`, `checkLabeled`, `checkSplits`) returns an `Either` whose error names the
 * argument and the numbers: `test.features: expected 192 features (as train), got 191`.
 */
import * as tf from '@tensorflow/tfjs'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type EvalError, checkInteger, evalError } from './eval-error.ts'

/** A row-major `[N, D]` matrix on the host. */
export interface HostMatrix {
  readonly values: Float32Array
  readonly shape: readonly [number, number]
}

/** Features `[N, D]`: a tfjs tensor or a host matrix. */
export type FeatureMatrix = tf.Tensor2D | HostMatrix

/** Features `[N, D]` with their class labels `[N]`. */
export interface LabeledFeatures {
  readonly features: FeatureMatrix
  readonly labels: Int32Array
}

/** True when the matrix lives in tfjs. */
export const isTensorMatrix = (m: FeatureMatrix): m is tf.Tensor2D => m instanceof tf.Tensor

/** The matrix's `[N, D]` as stated by it (unchecked). */
export const matrixShape = (m: FeatureMatrix): readonly number[] => m.shape

/** Right([N, D]) when `m` is a consistent non-empty rank-2 matrix, else an error naming `field`. */
export const checkMatrix = (field: string, m: FeatureMatrix): E.Either<EvalError, readonly [number, number]> => {
  const shape = m.shape as readonly number[]
  if (shape.length !== 2) return E.left(evalError(field, 'a matrix [N, D] (rank 2)', `shape [${shape.join(', ')}]`))
  const [n, d] = shape as [number, number]
  if (n < 1 || d < 1) return E.left(evalError(field, 'at least one row and one column', `shape [${n}, ${d}]`))
  if (!isTensorMatrix(m) && m.values.length !== n * d) {
    return E.left(evalError(field, `${n}·${d} = ${n * d} values for shape [${n}, ${d}]`, `${m.values.length} values`))
  }
  return E.right([n, d] as const)
}

/** Right([N, D]) when the features are a matrix and the labels are N integers in [0, numClasses). */
export const checkLabeled = (field: string, split: LabeledFeatures, numClasses: number): E.Either<EvalError, readonly [number, number]> =>
  pipe(
    checkMatrix(`${field}.features`, split.features),
    E.chain(([n, d]) => {
      if (!(split.labels instanceof Int32Array)) return E.left(evalError(`${field}.labels`, 'an Int32Array', Object.prototype.toString.call(split.labels)))
      if (split.labels.length !== n) {
        return E.left(evalError(`${field}.labels`, `${n} labels (one per row of ${field}.features)`, `${split.labels.length}`))
      }
      for (let i = 0; i < n; i++) {
        const y = split.labels[i]!
        if (y < 0 || y >= numClasses) return E.left(evalError(`${field}.labels[${i}]`, `a class in [0, ${numClasses})`, `${y}`, 'numClasses too small?'))
      }
      return E.right([n, d] as const)
    }),
  )

/** The sizes of a train/test pair that agree on D. */
export interface SplitSizes {
  readonly trainRows: number
  readonly testRows: number
  readonly dim: number
}

/** Right(sizes) when both splits are valid for `numClasses` and have the same number of features. */
export const checkSplits = (train: LabeledFeatures, test: LabeledFeatures, numClasses: number): E.Either<EvalError, SplitSizes> =>
  pipe(
    checkInteger('settings.numClasses', numClasses, 2),
    E.chain(() => checkLabeled('train', train, numClasses)),
    E.chain(([trainRows, dim]) =>
      pipe(
        checkLabeled('test', test, numClasses),
        E.chain(([testRows, testDim]) =>
          testDim === dim ? E.right({ trainRows, testRows, dim }) : E.left(evalError('test.features', `${dim} features per row (as train.features)`, `${testDim}`)),
        ),
      ),
    ),
  )

/** The matrix's values on the host, row-major (a copy for tensors; the array itself for host matrices: do not write into it). */
export const hostValues = async (m: FeatureMatrix): Promise<Float32Array> => {
  if (!isTensorMatrix(m)) return m.values
  const data = await m.data()
  return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>)
}

/** A tensor view of the matrix and whether the caller must dispose it (it must when it was made here). */
export const asTensor = (m: FeatureMatrix): { readonly tensor: tf.Tensor2D; readonly owned: boolean } =>
  isTensorMatrix(m) ? { tensor: m, owned: false } : { tensor: tf.tensor2d(m.values, [m.shape[0], m.shape[1]], 'float32'), owned: true }
