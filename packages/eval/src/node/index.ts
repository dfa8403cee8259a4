/**
 * @jepa-ts/eval/node — the evaluation protocol over datasets of @jepa-ts/data and families of
 * @jepa-ts/train (node-side: datasets load files): fixed samples, features and tokens on the host,
 * the trained / random-init / raw-pixel rows, and the representation monitor of the training loop.
 */
export * from './features.ts'
export * from './protocol.ts'
