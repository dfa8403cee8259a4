/**
 * The `jepa` command line. Each sub-command lives in `commands/<name>.ts` and exports
 * `register(program)`; this file only wires them.
 */
import { Command } from 'commander'
import { commands } from './commands/index.ts'

const program = new Command()
program.name('jepa').description('Self-supervised vision models as typed combinators on TensorFlow.js').showHelpAfterError()
for (const register of commands) register(program)
await program.parseAsync(process.argv)
