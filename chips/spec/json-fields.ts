/** Reference: DESIGN.md section 3 (user chip specs are JSON with the builtin schema). Field readers for untrusted
 * JSON: each returns a typed value or throws ChipSpecError with the JSON path, what was expected and what was
 * found. They never throw anything else, whatever the input.
 */
import { ChipSpecError } from '../errors.js';

/** Where the document came from, carried into every error. */
export interface JsonSource {
  readonly file: string;
}

export type JsonObject = Readonly<Record<string, unknown>>;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The path of a child: `$.a.b`, `$.a[3]`, or `$.a["odd key"]` for keys that are not identifiers. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return IDENTIFIER.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** A short description of a JSON value for error messages: type, and the value itself when it is short. */
export function describeJsonValue(value: unknown): string {
  if (value === undefined) return 'nothing (field missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case 'string': {
      const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value;
      return `the string ${JSON.stringify(shown)}`;
    }
    case 'number':
      return `the number ${String(value)}`;
    case 'boolean':
      return `${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

export function fail(source: JsonSource, path: string, expected: string, found: unknown): never {
  throw new ChipSpecError(source.file, path, expected, describeJsonValue(found));
}

/** The own field `key` of `object`, or undefined (never an inherited one such as `toString`). */
export function field(object: JsonObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `value` as an object whose keys are exactly `keys` plus any of `optional` (none missing, none extra, so a typo
 * in a user's file is reported instead of silently ignored). `optional` lists fields added to the format later,
 * so files written before them still read.
 */
export function readObject(source: JsonSource, value: unknown, path: string, keys: readonly string[], optional: readonly string[] = []): JsonObject {
  if (!isPlainObject(value)) fail(source, path, 'an object', value);
  for (const key of Object.keys(value)) {
    if (!keys.includes(key) && !optional.includes(key)) {
      throw new ChipSpecError(source.file, childPath(path, key), `no such field (allowed: ${[...keys, ...optional].join(', ')})`, 'an unknown field');
    }
  }
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) fail(source, childPath(path, key), 'a value', undefined);
  }
  return value;
}

/** `value` as an object with arbitrary keys (a map such as `costProfiles`). */
export function readMap(source: JsonSource, value: unknown, path: string): JsonObject {
  if (!isPlainObject(value)) fail(source, path, 'an object', value);
  return value;
}

export function readString(source: JsonSource, value: unknown, path: string, pattern?: RegExp): string {
  if (typeof value !== 'string' || value.length === 0) fail(source, path, 'a non-empty string', value);
  if (pattern !== undefined && !pattern.test(value)) fail(source, path, `a string matching ${String(pattern)}`, value);
  return value;
}

export function readBoolean(source: JsonSource, value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(source, path, 'true or false', value);
  return value;
}

export function readLiteral<T extends string>(source: JsonSource, value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(source, path, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, value);
  }
  return value as T;
}

/** An integer in [min, max]. */
export function readInteger(source: JsonSource, value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(source, path, `an integer in ${min}..${max}`, value);
  }
  return value + 0; // JSON "-0" becomes 0
}

export function readNullableInteger(source: JsonSource, value: unknown, path: string, min: number, max: number): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(source, path, `null or an integer in ${min}..${max}`, value);
  }
  return value + 0;
}

/** A finite number in [min, max] (JSON cannot hold NaN, but 1e999 parses to Infinity). */
export function readNumber(source: JsonSource, value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(source, path, `a finite number in ${min}..${max}`, value);
  }
  return value + 0;
}

export function readNullableNumber(source: JsonSource, value: unknown, path: string, min: number, max: number): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(source, path, `null or a finite number in ${min}..${max}`, value);
  }
  return value + 0;
}

export function readArray(source: JsonSource, value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) fail(source, path, 'an array', value);
  return value;
}
