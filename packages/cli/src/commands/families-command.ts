/**
 * `jepa families`: lists the families `jepa train` knows, one line each; `jepa families <name>`
 * prints a complete run config for that family (its Fashion-MNIST preset as `model` and a default
 * `train` section) to start from.
 */
import type { Command } from 'commander'
import { type FamilyRegistry, defaultFamilies } from './families.ts'
import { type CommandIo, EXIT, consoleIo } from './train.ts'

/** A starting run config for a family. */
export const exampleRunConfig = (name: string, model: unknown): unknown => ({
  family: name,
  model,
  train: { batchSize: 64, steps: 2000, seed: 0, checkpointEvery: 200, monitorEvery: 100, monitorImages: 256 },
})

/** Runs `jepa families [name]` and returns its exit code. */
export const runFamilies = (name: string | undefined, io: CommandIo = consoleIo, registry: FamilyRegistry = defaultFamilies): number => {
  if (name === undefined) {
    const width = Math.max(...[...registry.keys()].map((k) => k.length))
    for (const entry of registry.values()) io.out(`${entry.name.padEnd(width)}  ${entry.description}`)
    return EXIT.ok
  }
  const entry = registry.get(name)
  if (entry === undefined) {
    io.err(`jepa families: unknown family "${name}": expected one of ${[...registry.keys()].join(', ')}`)
    return EXIT.badInput
  }
  io.out(JSON.stringify(exampleRunConfig(entry.name, entry.example), null, 2))
  return EXIT.ok
}

export const register = (program: Command): void => {
  program
    .command('families')
    .description('list the trainable families, or print a starting run config for one')
    .argument('[name]', 'a family name: print its example run config (JSON)')
    .action((name: string | undefined) => {
      process.exitCode = runFamilies(name)
    })
}
