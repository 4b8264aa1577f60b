import type { ChipProgram } from '../chips/ir/chip-program.js';
import { builtinChips } from '../chips/registry.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import { SimulationError } from '../simulator/errors.js';
import { resolveChip } from './chip-option.js';

/** The chip a program was compiled for: a builtin by name, or the spec file given with --chip. */
export function programChip(program: ChipProgram, chip: string | undefined): ChipSpec {
  if (chip) return resolveChip(chip);
  const spec = (builtinChips as Record<string, ChipSpec>)[program.chipName];
  if (!spec) throw new SimulationError(program.chipName, `the program is for chip '${program.chipName}', which is not builtin: pass its spec with --chip <file.json>`);
  return spec;
}
