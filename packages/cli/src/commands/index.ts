/** The registered sub-commands, in `--help` order. */
import type { Command } from 'commander'
import { register as summary } from './summary.ts'
import { register as masks } from './masks.ts'
import { register as train } from './train.ts'
import { register as evaluate } from './eval.ts'
import { register as compare } from './compare.ts'
import { register as sweep } from './sweep.ts'
import { register as families } from './families-command.ts'
import { register as importTorch } from './import.ts'
import { register as exportTorch } from './export.ts'
import { register as serve } from './serve.ts'

export const commands: ReadonlyArray<(program: Command) => void> = [summary, masks, train, evaluate, compare, sweep, families, importTorch, exportTorch, serve]
