import { field, readArray, readBoolean, readInteger, readLiteral, readMap, readNumber, readObject, readString, type JsonSource } from '../../chips/spec/json-fields.js';
import { LEARNING_PRESETS, type LearningPreset } from '../../compiler/learning/presets.js';
import type { ChipBudget } from '../../compiler/passes/place.js';
import type { Encoding } from '../../simulator/simulate.js';
import { readChipRef, type ChipRef } from '../chip-ref.js';
import { SHA256_HEX } from '../content-hash.js';
import type { DatasetRef } from '../dataset-ref.js';
import { MAX_JOB_SECONDS, MAX_SAMPLES, readDatasetRef } from '../shard-job.js';
import type { ChipOverrides } from './chip-overrides.js';

export type ThresholdPolicy = 'auto' | 'schedule' | 'mean';
export const THRESHOLD_POLICIES: readonly ThresholdPolicy[] = ['auto', 'schedule', 'mean'];
export const ENCODINGS: readonly Encoding[] = ['direct', 'poisson'];
export const MAX_CHIP_BUDGET = 1024;
export type LearningChoice = 'none' | LearningPreset;
export const LEARNING_CHOICES: readonly LearningChoice[] = ['none', ...LEARNING_PRESETS];

/** On-chip learning before the test run: the preset on the last layer, over the first `samples` training images. */
export interface SweepLearning {
  readonly rule: LearningPreset;
  readonly samples: number;
  /** SHA-256 of those training images and labels as the submitter read them. */
  readonly trainSha256: string;
}

/**
 * One compile-and-simulate of a sweep: a model on a chip (with its overrides already applied to the spec) under
 * compile options, input encoding and dataset; priced under each of `profiles` (pricing needs no re-run, so the
 * profiles of a point share one simulation). Pure data: this is also the payload of a sweep job.
 */
export interface SweepConfiguration {
  readonly kind: 'point';
  readonly model: { readonly path: string; readonly sha256: string; readonly label: string };
  readonly chip: ChipRef;
  /** The chip as the sweep file names it (builtin name or spec file), before overrides. */
  readonly chipLabel: string;
  readonly overrides: ChipOverrides;
  readonly threshold: ThresholdPolicy;
  readonly chips: ChipBudget;
  readonly encoding: Encoding;
  readonly seed: number;
  readonly dataset: DatasetRef;
  readonly profiles: readonly string[];
  /** Absent: the program runs as compiled. */
  readonly learning?: SweepLearning;
  /** On the queue only: seconds after which a worker terminates the point's thread (absent: from its work). */
  readonly timeLimitSeconds?: number;
}

const MAX_TEXT = /^[^\n]{1,4096}$/;

/** Reads a sweep job's payload with the spec-file field readers; throws ChipSpecError naming the bad field. */
export function readSweepConfiguration(value: unknown, name: string): SweepConfiguration {
  const source: JsonSource = { file: name };
  const root = readObject(
    source,
    value,
    '$',
    ['kind', 'model', 'chip', 'chipLabel', 'overrides', 'threshold', 'chips', 'encoding', 'seed', 'dataset', 'profiles'],
    ['learning', 'timeLimitSeconds'],
  );
  readLiteral(source, field(root, 'kind'), '$.kind', ['point']);
  const model = readObject(source, field(root, 'model'), '$.model', ['path', 'sha256', 'label']);
  const overrides = readMap(source, field(root, 'overrides'), '$.overrides');
  const chips = field(root, 'chips');
  const profiles = readArray(source, field(root, 'profiles'), '$.profiles');
  const learning = field(root, 'learning');
  const timeLimit = field(root, 'timeLimitSeconds');
  if (profiles.length === 0 || profiles.length > 64) readInteger(source, profiles.length, '$.profiles.length', 1, 64);
  return {
    kind: 'point',
    model: {
      path: readString(source, field(model, 'path'), '$.model.path', /^\/[^\n]{0,4096}$/),
      sha256: readString(source, field(model, 'sha256'), '$.model.sha256', SHA256_HEX),
      label: readString(source, field(model, 'label'), '$.model.label', MAX_TEXT),
    },
    chip: readChipRef(source, field(root, 'chip'), '$.chip'),
    chipLabel: readString(source, field(root, 'chipLabel'), '$.chipLabel', MAX_TEXT),
    overrides: Object.fromEntries(
      Object.entries(overrides).map(([key, v]) => [
        key,
        typeof v === 'boolean' ? readBoolean(source, v, `$.overrides.${key}`) : readNumber(source, v, `$.overrides.${key}`, -(2 ** 53), 2 ** 53),
      ]),
    ),
    threshold: readLiteral(source, field(root, 'threshold'), '$.threshold', THRESHOLD_POLICIES),
    chips: chips === 'auto' ? 'auto' : readInteger(source, chips, '$.chips', 1, MAX_CHIP_BUDGET),
    encoding: readLiteral(source, field(root, 'encoding'), '$.encoding', ENCODINGS),
    seed: readInteger(source, field(root, 'seed'), '$.seed', 0, 2 ** 32 - 1),
    dataset: readDatasetRef(source, field(root, 'dataset')),
    profiles: profiles.map((p, i) => readString(source, p, `$.profiles[${i}]`, /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)),
    ...(learning === undefined ? {} : { learning: readLearning(source, learning) }),
    ...(timeLimit === undefined ? {} : { timeLimitSeconds: readInteger(source, timeLimit, '$.timeLimitSeconds', 1, MAX_JOB_SECONDS) }),
  };
}

function readLearning(source: JsonSource, value: unknown): SweepLearning {
  const learning = readObject(source, value, '$.learning', ['rule', 'samples', 'trainSha256']);
  return {
    rule: readLiteral(source, field(learning, 'rule'), '$.learning.rule', LEARNING_PRESETS),
    samples: readInteger(source, field(learning, 'samples'), '$.learning.samples', 1, MAX_SAMPLES),
    trainSha256: readString(source, field(learning, 'trainSha256'), '$.learning.trainSha256', SHA256_HEX),
  };
}

/**
 * A table row's identity: every parameter of the point, so --resume matches rows to points exactly (a point
 * without learning keeps the key it had before sweeps learned).
 */
export function pointKey(
  c: Pick<SweepConfiguration, 'model' | 'chipLabel' | 'overrides' | 'threshold' | 'chips' | 'encoding' | 'seed' | 'dataset' | 'learning'>,
  profile: string,
): string {
  const learning = c.learning ? [c.learning.rule, c.learning.samples] : [];
  return JSON.stringify([c.model.label, c.chipLabel, c.overrides, c.threshold, c.chips, c.encoding, c.seed, c.dataset.count, profile, ...learning]);
}
