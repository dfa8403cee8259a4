/**
 * Errors of reading `torch.save` files (zip container, pickle, storages).
 *
 * Contract: every error names its source (the file path, or `<bytes>`), where in the file the
 * problem is (a zip entry, a pickle byte offset, a tensor's storage key or a dotted state_dict
 * path), what was expected and what was found, all in `message`:
 * `ckpt.pth.tar: data.pkl byte 17: GLOBAL os.system: expected one of the allowed globals (collections.OrderedDict, …), got a global outside the allow-list`.
 */

/** A `torch.save` file that cannot be read, or holds something the restricted reader refuses. */
export interface TorchFileError {
  readonly _tag: 'TorchFileError'
  /** File path, or `<bytes>` for in-memory input. */
  readonly source: string
  /** Where: `zip`, `zip entry "archive/data/0"`, `data.pkl byte 17`, `tensor "encoder.pos_embed"`. */
  readonly where: string
  readonly expected: string
  readonly actual: string
  readonly message: string
}

/** Builds a TorchFileError. */
export const torchFileError = (source: string, where: string, expected: string, actual: string): TorchFileError => ({
  _tag: 'TorchFileError',
  source,
  where,
  expected,
  actual,
  message: `${source}: ${where}: expected ${expected}, got ${actual}`,
})

/** The exception form, for code paths that must throw (the caller catches it at the edge). */
export class TorchFileException extends Error {
  constructor(readonly detail: TorchFileError) {
    super(detail.message)
    this.name = 'TorchFileException'
  }
}
