/** Reference: DESIGN.md section 3 (three builtin specs: loihi, loihi2, tianjic). The builtin chips by name. Listed
 * explicitly, never discovered by scanning folders.
 */
import { UnknownChipError } from './errors.js';
import { loihiSpec } from './loihi/spec.js';
import { loihi2Spec } from './loihi2/spec.js';
import type { ChipSpec } from './spec/chip-spec.js';
import { tianjicSpec } from './tianjic/spec.js';

/** Freeze a spec and everything in it, so no consumer can change a builtin chip by accident. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export const builtinChips = deepFreeze({
  loihi: loihiSpec,
  loihi2: loihi2Spec,
  tianjic: tianjicSpec,
} as const satisfies Record<string, ChipSpec>);

export type BuiltinChipName = keyof typeof builtinChips;

export const BUILTIN_CHIP_NAMES = Object.keys(builtinChips) as readonly BuiltinChipName[];

/** The builtin chip called `name`; throws UnknownChipError listing the builtin names otherwise. */
export function getChip(name: string): ChipSpec {
  if (!Object.prototype.hasOwnProperty.call(builtinChips, name)) throw new UnknownChipError(name, BUILTIN_CHIP_NAMES);
  return builtinChips[name as BuiltinChipName];
}
