import type { Argv } from 'yargs';
import { BUILTIN_CHIP_NAMES } from '../../chips/registry.js';
import { resolveChip } from '../chip-option.js';

interface ChipSpecArgs {
  chip: string;
}

/** Prints a chip spec as JSON: the starting point for a user's own `--chip my-chip.json`. */
export function registerChipSpec(yargs: Argv): Argv {
  return yargs.command<ChipSpecArgs>(
    'chip-spec <chip>',
    `Print a chip spec as JSON (${BUILTIN_CHIP_NAMES.join(', ')}, or a spec file to validate): edit it and pass it as --chip`,
    (y) => y.positional('chip', { type: 'string', demandOption: true }) as Argv<ChipSpecArgs>,
    (args) => {
      process.stdout.write(`${JSON.stringify(resolveChip(args.chip), null, 2)}\n`);
    },
  );
}
