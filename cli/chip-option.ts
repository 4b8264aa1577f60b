import { existsSync } from 'node:fs';
import { getChip } from '../chips/registry.js';
import { readChipSpec } from '../chips/spec/read-chip-spec.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';

/** `--chip loihi|loihi2|tianjic` or the path of a chip spec JSON file. */
export function resolveChip(value: string): ChipSpec {
  if (value.endsWith('.json') || (existsSync(value) && !['loihi', 'loihi2', 'tianjic'].includes(value))) return readChipSpec(value);
  return getChip(value);
}
