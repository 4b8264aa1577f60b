/** Commands whose first positional word is a subcommand (`events convert`), named with it in errors. */
const COMMANDS_WITH_SUBCOMMANDS = new Set(['events']);

/**
 * The command a command line names, for the prefix of its error (`spikechip compile: ...`): the first word before
 * any option, with the next word for a command that has subcommands. Null when the line starts with an option.
 */
export function commandName(argv: readonly string[]): string | null {
  const [first, second] = argv;
  if (first === undefined || !/^[a-z][a-z0-9-]*$/.test(first)) return null;
  if (COMMANDS_WITH_SUBCOMMANDS.has(first) && second !== undefined && /^[a-z][a-z0-9-]*$/.test(second)) return `${first} ${second}`;
  return first;
}
