/**
 * `jepaProgram()`: the `jepa` commander program with every sub-command registered (each lives in
 * `commands/<name>.ts` and exports `register(program)`). `main.ts` runs it; tests drive it in-process.
 */
import { Command } from 'commander'
import { commands } from './commands/index.ts'

/** A fresh `jepa` program. */
export const jepaProgram = (): Command => {
  const program = new Command()
  program.name('jepa').description('Self-supervised vision models as typed combinators on TensorFlow.js').showHelpAfterError()
  for (const register of commands) register(program)
  return program
}
