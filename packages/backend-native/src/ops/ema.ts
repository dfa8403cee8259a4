/**
 * The native kernel of the EMA op (`JepaEma`, defined in @jepa-ts/ops): m·target + (1 − m)·online
 * in one pass.
 */
import { EMA } from '@jepa-ts/ops'
import { nativeKernel, numAttr } from '../kernel-util.ts'
export const emaKernel = nativeKernel(EMA, (inputs, backend, attrs) => {
  const { target, online } = inputs
  const tv = target === undefined ? undefined : backend.floats(target)
  const ov = online === undefined ? undefined : backend.floats(online)
  const momentum = numAttr(attrs, 'momentum')
  if (target === undefined || tv === undefined || ov === undefined || momentum === undefined) throw new Error(`${EMA}: float32 target, online and a momentum expected`)
  const out = backend.alloc(tv.length)
  backend.addon.ema(out, tv, ov, momentum)
  return backend.output(target.shape, out)
})
