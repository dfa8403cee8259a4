/** The registered sub-commands, in `--help` order. */
import type { Command } from 'commander'

export const commands: ReadonlyArray<(program: Command) => void> = []
