/** @jepa-ts/train — optimizer (AdamW) and schedules (the training loop is added beside them). */
export * from './schedules.ts'
export * from './adamw.ts'
export * from './family.ts'
