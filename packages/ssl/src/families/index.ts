/** The SSL families, each a composition of nn layers, masks, energies, EMA and AdamW. */
export * from './common.ts'
export * from './ijepa-config.ts'
export * from './ijepa.ts'
export * from './mae-config.ts'
export * from './mae.ts'
