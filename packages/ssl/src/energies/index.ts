/** Energies (losses) of the SSL families; each file states its formula. */
export * from './smooth-l1.ts'
export * from './l2.ts'
export * from './patchify.ts'
export * from './mae.ts'
export * from './nt-xent.ts'
export * from './vicreg.ts'
export * from './barlow-twins.ts'
export * from './cosine.ts'
