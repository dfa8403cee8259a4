/**
 * `helpOf(register)`: the `--help` text of every sub-command a registration adds, produced by
 * commander itself on a fresh program with `exitOverride` (so nothing exits and nothing is printed).
 * Used by the tests to check that every command answers `--help`.
 */
import { Command, CommanderError } from 'commander'

/** Sub-command name → its `--help` output; throws if a command does not display help. */
export const helpOf = (register: (program: Command) => void): ReadonlyMap<string, string> => {
  const texts = new Map<string, string>()
  let text = ''
  const output = { writeOut: (s: string) => { text += s }, writeErr: (s: string) => { text += s } }
  const names = (() => {
    const probe = new Command()
    register(probe)
    return probe.commands.map((c) => c.name())
  })()
  for (const name of names) {
    const program = new Command().name('jepa').exitOverride().configureOutput(output)
    register(program)
    for (const sub of program.commands) sub.exitOverride().configureOutput(output)
    text = ''
    try {
      program.parse(['node', 'jepa', name, '--help'])
      throw new Error(`${name} --help did not display help`)
    } catch (e) {
      if (!(e instanceof CommanderError) || e.code !== 'commander.helpDisplayed') throw e
    }
    texts.set(name, text)
  }
  return texts
}
