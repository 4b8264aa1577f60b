import { createHash } from 'node:crypto';
import type { ChipSpec } from './chip-spec.js';

/**
 * The spec's canonical JSON: object keys sorted at every level, no whitespace, absent (undefined) fields left out,
 * numbers as JSON.stringify writes them. A spec printed by `chip-spec`, saved and read back gives the same text,
 * so an unedited export hashes like the builtin it came from, and any edited number changes the hash.
 */
export function canonicalSpecJson(spec: ChipSpec): string {
  return canonical(spec);
}

/** SHA-256 (hex) of the canonical JSON: what a program records of the spec it was compiled for. */
export function chipSpecSha256(spec: ChipSpec): string {
  return createHash('sha256').update(canonicalSpecJson(spec)).digest('hex');
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonical(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
