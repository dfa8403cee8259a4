/**
 * The probe's head: a Linear layer `logits = x·W + b` (W `[D, C]`, b `[C]`) trained with softmax
 * cross-entropy, with the gradient written out instead of taped:
 *
 *   p = softmax(logits),  loss = −(1/B) Σ_i log p[i, y_i]
 *   ∂loss/∂logits = (p − onehot(y)) / B,  ∂loss/∂W = xᵀ·∂logits,  ∂loss/∂b = Σ_i ∂logits[i]
 *
 * Law: these gradients equal tfjs autodiff's (`tf.grads`) of the same loss. Writing them out keeps
 * the probe free of a gradient tape (fewer kernels and tensors per step on every backend).
 * Ownership: inputs are not disposed; every returned tensor is new and owned by the caller.
 */
import * as tf from '@tensorflow/tfjs'

/** One mini-batch's mean loss, number of correct argmax predictions, and the gradients. */
export interface SoftmaxRegressionStep {
  readonly loss: tf.Scalar
  readonly correct: tf.Scalar
  readonly gradWeight: tf.Tensor2D
  readonly gradBias: tf.Tensor1D
}

/** Logits `[B, C]` of the head. */
export const linearLogits = (weight: tf.Tensor2D, bias: tf.Tensor1D, x: tf.Tensor2D): tf.Tensor2D => tf.add(tf.matMul(x, weight), bias)

/** Loss, correct count and gradients on a batch: x `[B, D]`, labels int32 `[B]`. */
export const softmaxRegressionStep = (weight: tf.Tensor2D, bias: tf.Tensor1D, x: tf.Tensor2D, labels: tf.Tensor1D, numClasses: number): SoftmaxRegressionStep =>
  tf.tidy(() => {
    const batch = x.shape[0]
    const logits = linearLogits(weight, bias, x)
    const logProbs = tf.logSoftmax(logits)
    const target = tf.oneHot(labels, numClasses).toFloat()
    const loss = tf.neg(tf.sum(tf.mul(target, logProbs))).div(batch) as tf.Scalar
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')) as tf.Scalar
    const gradLogits = tf.sub(tf.exp(logProbs), target).div(batch) as tf.Tensor2D
    const gradWeight = tf.matMul(x, gradLogits, true, false) as tf.Tensor2D
    const gradBias = tf.sum(gradLogits, 0) as tf.Tensor1D
    return { loss, correct, gradWeight, gradBias }
  })

/** The mean cross-entropy alone (what `softmaxRegressionStep` differentiates; used by the gradient law). */
export const softmaxCrossEntropy = (weight: tf.Tensor2D, bias: tf.Tensor1D, x: tf.Tensor2D, labels: tf.Tensor1D, numClasses: number): tf.Scalar =>
  tf.tidy(() => {
    const logProbs = tf.logSoftmax(linearLogits(weight, bias, x))
    return tf.neg(tf.sum(tf.mul(tf.oneHot(labels, numClasses).toFloat(), logProbs))).div(x.shape[0]) as tf.Scalar
  })
