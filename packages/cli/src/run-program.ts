/**
 * The `jepa` process's edge: runs a commander program and turns every way it can end into an exit
 * code and a message, never a stack trace.
 *
 *   usage errors (unknown option, a flag's value refused by its parser, `this.error`)  → commander's
 *     message, exit 2 (bad input, as every command's own input errors)
 *   --help / --version                                                                → exit 0
 *   anything thrown that no command caught                                           → `jepa: <message>`,
 *     exit 70 (an internal error: the message says so; JEPA_DEBUG=1 prints the stack)
 * An action's own `process.exitCode` is kept.
 */
import { type Command, CommanderError } from 'commander'

/** Exit code of an error that no command handled. */
export const EXIT_INTERNAL = 70

/** Makes `program` and its sub-commands throw instead of exiting (call before parsing). */
const throwInsteadOfExit = (program: Command): void => {
  program.exitOverride()
  for (const sub of program.commands) throwInsteadOfExit(sub)
}

/** Runs `program` on `argv`; returns the exit code (see the module contract). */
export const runProgram = async (program: Command, argv: readonly string[], err: (line: string) => void = (l) => console.error(l)): Promise<number> => {
  throwInsteadOfExit(program)
  try {
    await program.parseAsync([...argv])
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2
    const message = e instanceof Error ? e.message : String(e)
    err(`jepa: ${message}`)
    err(process.env.JEPA_DEBUG === '1' && e instanceof Error && e.stack !== undefined ? e.stack : 'jepa: this is an internal error (set JEPA_DEBUG=1 to see where it happened)')
    return EXIT_INTERNAL
  }
}
