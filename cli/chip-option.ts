import { existsSync } from 'node:fs';
import { BUILTIN_CHIP_NAMES, getChip } from '../chips/registry.js';
import { readChipSpec } from '../chips/spec/read-chip-spec.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';

/** `--chip loihi|loihi2|tianjic` or the path of a chip spec JSON file. */
export function resolveChip(value: string): ChipSpec {
  if (value.endsWith('.json') || (existsSync(value) && !(BUILTIN_CHIP_NAMES as readonly string[]).includes(value))) return readChipSpec(value);
  return getChip(value);
}
