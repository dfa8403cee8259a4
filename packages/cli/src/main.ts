/**
 * The `jepa` command line: the program of `program.ts`, run by `run-program.ts`, which turns every
 * way it ends into an exit code and a message.
 */
import { jepaProgram } from './program.ts'
import { runProgram } from './run-program.ts'

process.exitCode = await runProgram(jepaProgram(), process.argv)
