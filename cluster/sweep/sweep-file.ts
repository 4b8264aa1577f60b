import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ChipSpecError } from '../../chips/errors.js';
import { field, readArray, readBoolean, readInteger, readLiteral, readMap, readNumber, readObject, readString, type JsonSource } from '../../chips/spec/json-fields.js';
import type { ChipBudget } from '../../compiler/passes/place.js';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { packageRoot } from '../../models/package-root.js';
import type { Encoding } from '../../simulator/simulate.js';
import type { ChipOverrides } from './chip-overrides.js';
import { ENCODINGS, LEARNING_CHOICES, MAX_CHIP_BUDGET, THRESHOLD_POLICIES, type LearningChoice, type ThresholdPolicy } from './configuration.js';

/** A sweep file as read: every list present (defaults filled in), every path resolved. */
export interface SweepFile {
  readonly file: string;
  readonly models: readonly { readonly label: string; readonly path: string }[];
  /** Builtin chip names or spec files (resolved paths), as the rows name them. */
  readonly chips: readonly { readonly label: string; readonly value: string }[];
  readonly overrides: readonly ChipOverrides[];
  /** Null: each chip's default profile. */
  readonly profiles: readonly string[] | null;
  readonly thresholds: readonly ThresholdPolicy[];
  readonly chipBudgets: readonly ChipBudget[];
  readonly encodings: readonly Encoding[];
  /** `none` (the program as compiled) or an on-chip learning preset, learned before the test run. */
  readonly learningRules: readonly LearningChoice[];
  /** Training images each learning point learns from (the dataset's train split). */
  readonly learningSamples: number;
  readonly seed: number;
  readonly data: string | null;
  readonly limit: number | null;
}

const KEYS = ['models', 'chips'];
const OPTIONAL = ['overrides', 'profiles', 'thresholds', 'chipBudgets', 'encodings', 'learningRules', 'learningSamples', 'seed', 'data', 'limit'];
/** Learning points learn from this many training images unless the file says otherwise. */
const DEFAULT_LEARNING_SAMPLES = 100;
const MAX_LEARNING_SAMPLES = 60_000;
const MAX_LIST = 256;
const MAX_FILE_BYTES = 1024 * 1024;
const BUILTIN = /^[a-z][a-z0-9]*$/;

/**
 * Reads a sweep file: `{"models": [...], "chips": [...]}` plus optional lists (`overrides`: objects of chip spec
 * fields by dotted path, `profiles`, `thresholds`, `chipBudgets`, `encodings`, `learningRules`) and
 * `learningSamples`, `seed`, `data`, `limit`. Paths are
 * relative to the sweep file; a model path missing there is also looked up in the package (so the bundled model's
 * repository path works from anywhere), and `"bundled"` names the bundled model. Errors name the file and field.
 */
export function readSweepFile(file: string): SweepFile {
  const source: JsonSource = { file };
  let text: string;
  try {
    const bytes = readFileSync(file);
    if (bytes.length > MAX_FILE_BYTES) throw new ChipSpecError(file, '$', `a sweep file of at most ${MAX_FILE_BYTES} bytes`, `${bytes.length} bytes`);
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof ChipSpecError) throw error;
    throw new ChipSpecError(file, '$', 'a readable sweep file', (error as NodeJS.ErrnoException).code ?? String(error));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ChipSpecError(file, '$', 'JSON', `invalid JSON (${(error as Error).message})`);
  }
  const root = readObject(source, json, '$', KEYS, OPTIONAL);
  const list = <T>(key: string, read: (value: unknown, path: string) => T, fallback: readonly T[]): readonly T[] => {
    const value = field(root, key);
    if (value === undefined) return fallback;
    const items = readArray(source, value, `$.${key}`);
    if (items.length === 0 || items.length > MAX_LIST) readInteger(source, items.length, `$.${key}.length`, 1, MAX_LIST);
    return items.map((item, i) => read(item, `$.${key}[${i}]`));
  };
  const base = dirname(resolve(file));
  const models = list('models', (v, path) => resolveModel(source, readString(source, v, path), path, base), []);
  const chips = list('chips', (v, path) => resolveChip(source, readString(source, v, path), path, base), []);
  const overrides = list('overrides', (v, path) => readOverrides(source, v, path), [{}]);
  const profiles = field(root, 'profiles') === undefined ? null : list('profiles', (v, path) => readString(source, v, path, /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/), []);
  const learningRules = list<LearningChoice>('learningRules', (v, path) => readLiteral(source, v, path, LEARNING_CHOICES), ['none']);
  const learningSamplesValue = field(root, 'learningSamples');
  if (learningSamplesValue !== undefined && learningRules.every((r) => r === 'none'))
    throw new ChipSpecError(file, '$.learningSamples', `a learning rule in $.learningRules to learn with (one of ${LEARNING_CHOICES.slice(1).join(', ')})`, 'none');
  const dataValue = field(root, 'data');
  const limitValue = field(root, 'limit');
  return {
    file,
    models,
    chips,
    overrides,
    profiles,
    thresholds: list('thresholds', (v, path) => readLiteral(source, v, path, THRESHOLD_POLICIES), ['auto']),
    chipBudgets: list('chipBudgets', (v, path): ChipBudget => (v === 'auto' ? 'auto' : readInteger(source, v, path, 1, MAX_CHIP_BUDGET)), [1]),
    encodings: list('encodings', (v, path) => readLiteral(source, v, path, ENCODINGS), ['direct']),
    learningRules,
    learningSamples: learningSamplesValue === undefined ? DEFAULT_LEARNING_SAMPLES : readInteger(source, learningSamplesValue, '$.learningSamples', 1, MAX_LEARNING_SAMPLES),
    seed: field(root, 'seed') === undefined ? 1 : readInteger(source, field(root, 'seed'), '$.seed', 0, 2 ** 32 - 1),
    data: dataValue === undefined ? null : resolve(base, readString(source, dataValue, '$.data')),
    limit: limitValue === undefined ? null : readInteger(source, limitValue, '$.limit', 1, 10_000_000),
  };
}

function resolveModel(source: JsonSource, value: string, path: string, base: string): { label: string; path: string } {
  if (value === 'bundled') return { label: value, path: bundledModelPath() };
  const candidates = isAbsolute(value) ? [value] : [join(base, value), join(packageRoot(), value)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new ChipSpecError(source.file, path, `a model file or "bundled" (looked in ${candidates.join(' and ')})`, `the missing file ${JSON.stringify(value)}`);
  return { label: value, path: found };
}

function resolveChip(source: JsonSource, value: string, path: string, base: string): { label: string; value: string } {
  if (BUILTIN.test(value) && !value.endsWith('.json')) return { label: value, value };
  const file = isAbsolute(value) ? value : join(base, value);
  if (!existsSync(file)) throw new ChipSpecError(source.file, path, 'a builtin chip name or a chip spec file', `the missing file ${JSON.stringify(value)}`);
  return { label: value, value: file };
}

function readOverrides(source: JsonSource, value: unknown, path: string): ChipOverrides {
  const map = readMap(source, value, path);
  return Object.fromEntries(
    Object.entries(map).map(([key, v]) => {
      readString(source, key, `${path} key`, /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/);
      return [key, typeof v === 'boolean' ? readBoolean(source, v, `${path}.${key}`) : readNumber(source, v, `${path}.${key}`, -(2 ** 53), 2 ** 53)];
    }),
  );
}
