import { builtinChips, getChip } from '../chips/registry.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import { readObject, readString, field, type JsonSource } from '../chips/spec/json-fields.js';
import { validateChipSpec } from '../chips/spec/validate-chip-spec.js';

/** A chip as a job names it: a builtin by name, or a user's spec as data (validated like a spec file). */
export type ChipRef = { readonly builtin: string } | { readonly spec: ChipSpec };

export function chipRef(spec: ChipSpec): ChipRef {
  const builtin = (builtinChips as Record<string, ChipSpec>)[spec.name];
  return builtin === spec ? { builtin: spec.name } : { spec };
}

export function readChipRef(source: JsonSource, value: unknown, path: string): ChipRef {
  const object = readObject(source, value, path, [], ['builtin', 'spec']);
  if (field(object, 'builtin') !== undefined) return { builtin: readString(source, field(object, 'builtin'), `${path}.builtin`) };
  return { spec: validateChipSpec(field(object, 'spec'), `${source.file} ${path}.spec`) };
}

export function resolveChipRef(ref: ChipRef): ChipSpec {
  return 'builtin' in ref ? getChip(ref.builtin) : ref.spec;
}
