/**
 * The probes' optimizer: the host form of the AdamW op of @jepa-ts/ops (`adamwUpdateInPlace`, in
 * `torch.optim.AdamW`'s order of operations) with the probes' fixed β = (0.9, 0.999), ε = 1e-8.
 * The state (param, m, v; `adamwHostState`) is owned by the probe and updated in place: this is an
 * inner loop. Law: after any sequence of gradients it matches PyTorch 1.13's AdamW (test fixture).
 */
import { type AdamWHostState, adamwUpdateInPlace } from '@jepa-ts/ops'

/** Applies update number `step` (1-based) with gradient `grad` in place. */
export const adamwStepInPlace = (state: AdamWHostState, grad: Float64Array, step: number, lr: number, weightDecay: number): void =>
  adamwUpdateInPlace(state, grad, { lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, step })
