import type { ChipSpec } from '../../chips/spec/chip-spec.js';
import { validateChipSpec } from '../../chips/spec/validate-chip-spec.js';
import { ClusterError } from '../errors.js';

/** Spec fields a sweep may set, by dotted path, e.g. `{"core.maxNeurons": 512}`; values replace numbers or booleans. */
export type ChipOverrides = Readonly<Record<string, number | boolean>>;

/**
 * The spec with each dotted path set, then validated as a whole like a spec file (a change that breaks a rule
 * tying fields together, e.g. cores per chip against the mesh, is refused naming the field). Only existing
 * number or boolean fields can be set, so a typo is an error and not a silent no-op.
 */
export function applyOverrides(spec: ChipSpec, overrides: ChipOverrides, source: string): ChipSpec {
  if (Object.keys(overrides).length === 0) return spec;
  const copy = JSON.parse(JSON.stringify(spec)) as Record<string, unknown>;
  for (const [path, value] of Object.entries(overrides)) {
    const keys = path.split('.');
    let node: Record<string, unknown> = copy;
    for (const key of keys.slice(0, -1)) {
      const next = Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
      if (typeof next !== 'object' || next === null || Array.isArray(next)) throw new OverrideError(source, path, `chip ${spec.name} has no field ${path}`);
      node = next as Record<string, unknown>;
    }
    const last = keys[keys.length - 1]!;
    const old = Object.prototype.hasOwnProperty.call(node, last) ? node[last] : undefined;
    if (typeof old !== 'number' && typeof old !== 'boolean' && old !== null) throw new OverrideError(source, path, `chip ${spec.name} has no number or boolean field ${path}`);
    if (old !== null && typeof old !== typeof value) throw new OverrideError(source, path, `${path} of chip ${spec.name} is a ${typeof old}, the override gives a ${typeof value}`);
    node[last] = value;
  }
  return validateChipSpec(copy, `${source} (chip ${spec.name} with ${describeOverrides(overrides)})`);
}

export function describeOverrides(overrides: ChipOverrides): string {
  const entries = Object.entries(overrides);
  return entries.length === 0 ? 'no overrides' : entries.map(([k, v]) => `${k}=${String(v)}`).join(', ');
}

/** An override naming no field of the chip: a mistake in the sweep file, refused before anything runs. */
class OverrideError extends ClusterError {
  constructor(source: string, path: string, detail: string) {
    super(source, `overrides ${JSON.stringify(path)}: ${detail}`);
  }
}
