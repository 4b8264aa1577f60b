import { field, readArray, readBoolean, readInteger, readLiteral, readObject, readString, type JsonSource } from '../chips/spec/json-fields.js';
import type { Encoding } from '../simulator/simulate.js';
import { readChipRef, type ChipRef } from './chip-ref.js';
import { SHA256_HEX } from './content-hash.js';
import type { DatasetRef } from './dataset-ref.js';
import type { ModelSource } from '../models/graph/model.js';

/** The largest dataset a job may name (samples); ten times ImageNet's validation set. */
export const MAX_SAMPLES = 500_000;
const MAX_PATH = 4096;
const MAX_RASTER_LAYERS = 256;

/**
 * One shard of a dataset run: a contiguous range of samples of a named dataset through a program stored by hash.
 * Pure data; a worker reads it with the same field readers as a chip spec file, so a corrupt or hostile job is
 * refused with the path of its bad field before anything runs.
 */
export interface ShardJob {
  readonly kind: 'shard';
  readonly program: string;
  /** The program's file name on the submitting machine, for messages only. */
  readonly programFile: string;
  readonly chip: ChipRef;
  readonly dataset: DatasetRef;
  readonly first: number;
  readonly count: number;
  readonly encoding: Encoding;
  readonly seed: number;
  readonly raster?: readonly string[];
  /** The worker terminates the job's thread after this long (absent: no limit). */
  readonly timeLimitSeconds?: number;
}

/** The longest time limit a job may ask for: a week. */
export const MAX_JOB_SECONDS = 7 * 24 * 3600;

const ENCODINGS: readonly Encoding[] = ['direct', 'poisson'];

export function readShardJob(value: unknown, jobName: string): ShardJob {
  const source: JsonSource = { file: jobName };
  const job = readObject(source, value, '$', ['kind', 'program', 'programFile', 'chip', 'dataset', 'first', 'count', 'encoding', 'seed'], ['raster', 'timeLimitSeconds']);
  readLiteral(source, field(job, 'kind'), '$.kind', ['shard']);
  const dataset = readDatasetRef(source, field(job, 'dataset'));
  const total = dataset.count;
  const first = readInteger(source, field(job, 'first'), '$.first', 0, total - 1);
  const raster = field(job, 'raster');
  const timeLimit = field(job, 'timeLimitSeconds');
  return {
    kind: 'shard',
    program: readString(source, field(job, 'program'), '$.program', SHA256_HEX),
    programFile: readString(source, field(job, 'programFile'), '$.programFile', new RegExp(`^[^\\n]{1,${MAX_PATH}}$`)),
    chip: readChipRef(source, field(job, 'chip'), '$.chip'),
    dataset,
    first,
    count: readInteger(source, field(job, 'count'), '$.count', 1, total - first),
    encoding: readLiteral(source, field(job, 'encoding'), '$.encoding', ENCODINGS),
    seed: readInteger(source, field(job, 'seed'), '$.seed', -(2 ** 31), 2 ** 32 - 1),
    ...(raster === undefined
      ? {}
      : {
          raster: readRasterLayers(source, raster),
        }),
    ...(timeLimit === undefined ? {} : { timeLimitSeconds: readInteger(source, timeLimit, '$.timeLimitSeconds', 1, MAX_JOB_SECONDS) }),
  };
}

function readRasterLayers(source: JsonSource, value: unknown): string[] {
  const names = readArray(source, value, '$.raster');
  if (names.length > MAX_RASTER_LAYERS) readInteger(source, names.length, '$.raster.length', 0, MAX_RASTER_LAYERS);
  return names.map((name, i) => readString(source, name, `$.raster[${i}]`, /^[^\n]{1,200}$/));
}

const MAX_INPUT_DIMS = 4;
const MAX_INPUT_EXTENT = 65_536;
const MAX_TIMESTEPS = 100_000;
const SOURCES: readonly ModelSource[] = ['osr-ots', 'rate-bp', 'nir', 'other'];

/** A job's dataset reference (Fashion-MNIST, or any `--data` with its reader), read with the spec-file field readers. */
export function readDatasetRef(source: JsonSource, value: unknown): DatasetRef {
  const format = readLiteral(source, field(readObject(source, value, '$.dataset', [], ['format', 'path', 'count', 'sha256', 'reader']), 'format'), '$.dataset.format', [
    'fashion-mnist-test',
    'data',
  ]);
  const ref = readObject(source, value, '$.dataset', ['format', 'path', 'count', 'sha256', ...(format === 'data' ? ['reader'] : [])]);
  const common = {
    path: readString(source, field(ref, 'path'), '$.dataset.path', new RegExp(`^/[^\\n]{0,${MAX_PATH}}$`)),
    count: readInteger(source, field(ref, 'count'), '$.dataset.count', 1, MAX_SAMPLES),
    sha256: readString(source, field(ref, 'sha256'), '$.dataset.sha256', SHA256_HEX),
  };
  if (format === 'fashion-mnist-test') return { format, ...common };
  const reader = readObject(source, field(ref, 'reader'), '$.dataset.reader', ['inputShape', 'source', 'timesteps', 'pixels']);
  const shape = readArray(source, field(reader, 'inputShape'), '$.dataset.reader.inputShape');
  if (shape.length < 1 || shape.length > MAX_INPUT_DIMS) readInteger(source, shape.length, '$.dataset.reader.inputShape.length', 1, MAX_INPUT_DIMS);
  return {
    format,
    ...common,
    reader: {
      inputShape: shape.map((d, i) => readInteger(source, d, `$.dataset.reader.inputShape[${i}]`, 1, MAX_INPUT_EXTENT)),
      source: readLiteral(source, field(reader, 'source'), '$.dataset.reader.source', SOURCES),
      timesteps: readInteger(source, field(reader, 'timesteps'), '$.dataset.reader.timesteps', 1, MAX_TIMESTEPS),
      pixels: readBoolean(source, field(reader, 'pixels'), '$.dataset.reader.pixels'),
    },
  };
}
