/**
 * The native kernel of the AdamW op (`JepaAdamW`, defined in @jepa-ts/ops with its attributes):
 * one pass over memory computing p, m and v.
 */
import { ADAMW } from '@jepa-ts/ops'
import { nativeKernel, numAttr } from '../kernel-util.ts'
export const adamwKernel = nativeKernel(ADAMW, (inputs, backend, attrs) => {
  const { p, g, m, v } = inputs
  const vals = [p, g, m, v].map((t) => (t === undefined ? undefined : backend.floats(t)))
  const [pv, gv, mv, vv] = vals
  if (p === undefined || pv === undefined || gv === undefined || mv === undefined || vv === undefined) throw new Error(`${ADAMW}: float32 p, g, m, v expected`)
  const n = pv.length
  const po = backend.alloc(n)
  const mo = backend.alloc(n)
  const vo = backend.alloc(n)
  const at = (name: string): number => {
    const x = numAttr(attrs, name)
    if (x === undefined) throw new Error(`${ADAMW}: attribute ${name} missing`)
    return x
  }
  backend.addon.adamw(po, mo, vo, pv, gv, mv, vv, at('lr'), at('beta1'), at('beta2'), at('eps'), at('weightDecay'), at('bc1'), at('bc2'))
  return [backend.output(p.shape, po), backend.output(p.shape, mo), backend.output(p.shape, vo)]
})
