/**
 * Stop-gradient for tfjs, which has none.
 *
 * The preferred stop-gradient in jepa-ts is structural: compute the target branch OUTSIDE the
 * function given to `tf.grads`/`tf.valueAndGrads` (the target params are simply not arguments of the
 * differentiated function). That costs nothing on the backward pass. `stopGradient` is for the case
 * where the target comes out of the same differentiated computation (SimSiam's z = encoder(x) when
 * the encoder is being trained): it returns a copy of `x` whose gradient is zero. It is correct but
 * tfjs still back-propagates those zeros through the upstream branch (DESIGN §4b: 10 matmuls instead
 * of 7 in a test, versus 5 outside the tape), so prefer the structural form where the forward pass
 * can be afforded twice or shared.
 */
import * as tf from '@tensorflow/tfjs'

const stop = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = inputs[0]
  if (!(x instanceof tf.Tensor)) throw new Error('stopGradient: expected a tensor argument')
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => [tf.zerosLike(dy)] }
})

/**
 * `x` unchanged in the forward pass, zero gradient in the backward pass. Same shape as `x`.
 *
 * @example
 * const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(stopGradient(x), x)))(tf.tensor1d([3]))  // [3], not [6]
 */
export const stopGradient = <T extends tf.Tensor>(x: T): T => {
  // customGrad's typing returns the base Tensor; the value is a clone of x, so the shape and rank are x's.
  return stop(x) as unknown as T
}
