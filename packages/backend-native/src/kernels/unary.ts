/**
 * Elementwise unary kernels on float32 (Exp, Log, Tanh, Erf, Rsqrt, Sqrt, Square, Neg, Relu, Abs,
 * Sigmoid, Reciprocal, Log1p, Expm1, Sin, Cos, Relu6, Step, Sign, Floor, Ceil, Round, Softplus,
 * Elu, Selu, LeakyRelu). Law: same shape, equal to the cpu kernel within float rounding (tfjs's
 * Erf is a 1e-7 polynomial; ours is libm's erff). Other dtypes defer to cpu.
 */
import * as tf from '@tensorflow/tfjs'
import { UnaryOp, type UnaryOpCode } from '../addon-types.ts'
import { nativeKernel, numAttr } from '../kernel-util.ts'

const unaryKernel = (kernelName: string, op: UnaryOpCode, alphaAttr?: string, alphaDefault = 0): tf.KernelConfig =>
  nativeKernel(kernelName, (inputs, backend, attrs) => {
    const { x } = inputs
    if (x === undefined) return undefined
    const xv = backend.floats(x)
    if (xv === undefined) return undefined
    const out = backend.alloc(xv.length)
    backend.addon.unary(op, out, xv, alphaAttr === undefined ? 0 : (numAttr(attrs, alphaAttr) ?? alphaDefault))
    return backend.output(x.shape, out)
  })

export const unaryKernels: readonly tf.KernelConfig[] = [
  unaryKernel(tf.Exp, UnaryOp.Exp),
  unaryKernel(tf.Log, UnaryOp.Log),
  unaryKernel(tf.Tanh, UnaryOp.Tanh),
  unaryKernel(tf.Erf, UnaryOp.Erf),
  unaryKernel(tf.Rsqrt, UnaryOp.Rsqrt),
  unaryKernel(tf.Sqrt, UnaryOp.Sqrt),
  unaryKernel(tf.Square, UnaryOp.Square),
  unaryKernel(tf.Neg, UnaryOp.Neg),
  unaryKernel(tf.Relu, UnaryOp.Relu),
  unaryKernel(tf.Abs, UnaryOp.Abs),
  unaryKernel(tf.Sigmoid, UnaryOp.Sigmoid),
  unaryKernel(tf.Reciprocal, UnaryOp.Reciprocal),
  unaryKernel(tf.Log1p, UnaryOp.Log1p),
  unaryKernel(tf.Expm1, UnaryOp.Expm1),
  unaryKernel(tf.Sin, UnaryOp.Sin),
  unaryKernel(tf.Cos, UnaryOp.Cos),
  unaryKernel(tf.Relu6, UnaryOp.Relu6),
  unaryKernel(tf.Step, UnaryOp.Step, 'alpha', 0),
  unaryKernel(tf.Sign, UnaryOp.Sign),
  unaryKernel(tf.Floor, UnaryOp.Floor),
  unaryKernel(tf.Ceil, UnaryOp.Ceil),
  unaryKernel(tf.Round, UnaryOp.Round),
  unaryKernel(tf.Softplus, UnaryOp.Softplus),
  unaryKernel(tf.Elu, UnaryOp.Elu),
  unaryKernel(tf.Selu, UnaryOp.Selu),
  unaryKernel(tf.LeakyRelu, UnaryOp.LeakyRelu, 'alpha', 0.2),
]
