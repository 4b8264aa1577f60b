import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { ChipSpecError } from '../../chips/errors.js';
import { getChip } from '../../chips/registry.js';
import type { ChipSpec } from '../../chips/spec/chip-spec.js';
import { readChipSpec } from '../../chips/spec/read-chip-spec.js';
import { defaultFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { chipRef } from '../chip-ref.js';
import { checkReachable, queueConnection } from '../connection.js';
import { sha256Hex } from '../content-hash.js';
import { dataFileRef, datasetHash, datasetRef, isFashionMnistDir, modelReader, readDataSamples, type DatasetRef } from '../dataset-ref.js';
import { loadModel } from '../../models/load-model.js';
import { ClusterError } from '../errors.js';
import { runJobs } from '../job-tracker.js';
import type { QueueAddress } from '../queue-url.js';
import { MAX_JOB_SECONDS } from '../shard-job.js';
import { QUEUE_NAME } from '../shards.js';
import { JobThreads } from '../thread-pool.js';
import { applyOverrides } from './chip-overrides.js';
import { pointKey, type SweepConfiguration } from './configuration.js';
import { errorRows, runSweepConfiguration } from './run-configuration.js';
import type { SweepFile } from './sweep-file.js';
import { TABLE_FORMAT, type SweepRow, type SweepTable } from './sweep-row.js';

export interface SweepRun {
  readonly sweep: SweepFile;
  /** A table written by an earlier run of this sweep: its rows are kept, only the missing points run (--resume). */
  readonly previous?: SweepTable | null;
  /** Run the points as jobs on this queue instead of this machine's threads. */
  readonly queue?: QueueAddress | undefined;
  /** On the queue: seconds after which a worker terminates a point's thread (default: from the point's work). */
  readonly jobTimeLimitSeconds?: number | undefined;
  /** Local threads (default: one per CPU core); 1 runs in this thread. */
  readonly threads?: number | undefined;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/** Points with their rows, in the order of the sweep file's lists (models, chips, overrides, thresholds, chip budgets, encodings, learning rules). */
interface Planned {
  readonly configuration: SweepConfiguration;
  /** Rows known before running: from --resume, or an override the chip's spec refuses. */
  readonly rows: SweepRow[] | null;
}

/**
 * Runs every point of a sweep and returns the table: one row per point and profile, in the sweep file's order,
 * the same bytes whether the points ran here or through the queue.
 */
export async function runSweep(run: SweepRun): Promise<SweepTable> {
  const { sweep } = run;
  const limit = run.jobTimeLimitSeconds;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_JOB_SECONDS))
    throw new ClusterError('--job-time-limit', `must be a whole number of seconds in 1..${MAX_JOB_SECONDS}, got ${limit}`);
  const data = sweep.data ?? defaultFashionMnistDir();
  const fashion = isFashionMnistDir(data);
  if (!fashion && sweep.learningRules.some((r) => r !== 'none'))
    throw new ClusterError(sweep.file, `$.learningRules: learning points learn from Fashion-MNIST training images; ${data} is not a Fashion-MNIST folder`);
  // Fashion-MNIST is read once for every model; other data as each model's input reads it (shape, normalisation).
  const fashionSet = fashion ? datasetRef(loadFashionMnist(data, 'test', sweep.limit ?? undefined)) : null;
  const datasetFor = (model: { label: string; path: string }, index: number): DatasetRef => {
    if (fashionSet) return fashionSet;
    const reader = modelReader(loadModel(model.path).model);
    try {
      return dataFileRef(data, reader, readDataSamples(data, reader, sweep.limit ?? undefined));
    } catch (error) {
      throw new ClusterError(sweep.file, `$.models[${index}] (${model.label}): ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const learning = sweep.learningRules.some((r) => r !== 'none') ? trainingImages(sweep) : null;
  const planned = plan(sweep, datasetFor, learning, run.previous ?? null);
  const todo = planned.filter((p) => p.rows === null);
  const total = todo.reduce((n, p) => n + p.configuration.dataset.count, 0);
  const measured = run.queue ? await runOnQueue(run.queue, todo, total, run.onProgress, run.jobTimeLimitSeconds) : await runLocally(todo, run.threads, total, run.onProgress);
  let next = 0;
  const rows = planned.flatMap((p) => p.rows ?? measured[next++]!);
  return { format: TABLE_FORMAT, sweep: sweep.file, rows };
}

/** The training images learning points learn from: how many, and their hash, which every worker checks. */
function trainingImages(sweep: SweepFile): { samples: number; trainSha256: string } {
  const train = loadFashionMnist(sweep.data ?? defaultFashionMnistDir(), 'train', sweep.learningSamples);
  return { samples: train.count, trainSha256: datasetHash(train) };
}

function plan(
  sweep: SweepFile,
  datasetFor: (model: { label: string; path: string }, index: number) => DatasetRef,
  training: { samples: number; trainSha256: string } | null,
  previous: SweepTable | null,
): Planned[] {
  const kept = new Map((previous?.rows ?? []).filter((r) => r.status !== 'error').map((r) => [r.key, r]));
  const planned: Planned[] = [];
  for (const [index, model] of sweep.models.entries()) {
    const modelRef = { path: model.path, sha256: sha256Hex(readFileSync(model.path)), label: model.label };
    const dataset = datasetFor(model, index);
    for (const chip of sweep.chips) {
      const base = chip.value.endsWith('.json') || chip.value.includes('/') ? readChipSpec(chip.value) : getChip(chip.value);
      const profiles = sweep.profiles ?? [base.defaultCostProfile];
      for (const overrides of sweep.overrides) {
        let spec: ChipSpec | null = null;
        let refused: string | null = null;
        try {
          spec = applyOverrides(base, overrides, sweep.file);
        } catch (error) {
          if (!(error instanceof ChipSpecError)) throw error;
          refused = error.message;
        }
        for (const threshold of sweep.thresholds) {
          for (const chips of sweep.chipBudgets) {
            for (const encoding of sweep.encodings) {
              for (const learningRule of sweep.learningRules) {
                const configuration: SweepConfiguration = {
                  kind: 'point',
                  model: modelRef,
                  chip: chipRef(spec ?? base),
                  chipLabel: chip.label,
                  overrides,
                  threshold,
                  chips,
                  encoding,
                  seed: sweep.seed,
                  dataset,
                  profiles,
                  ...(learningRule === 'none' || training === null ? {} : { learning: { rule: learningRule, ...training } }),
                };
                const previousRows = profiles.map((p) => kept.get(pointKey(configuration, p)));
                const rows = refused !== null ? errorRows(configuration, refused) : previousRows.every((r) => r !== undefined) ? (previousRows as SweepRow[]) : null;
                planned.push({ configuration, rows });
              }
            }
          }
        }
      }
    }
  }
  return planned;
}

async function runLocally(todo: readonly Planned[], threads: number | undefined, total: number, onProgress: SweepRun['onProgress']): Promise<SweepRow[][]> {
  const size = Math.max(1, Math.min(threads ?? availableParallelism(), todo.length, import.meta.url.endsWith('.js') ? Infinity : 1));
  const progress = new Array<number>(todo.length).fill(0);
  const report = (i: number, done: number) => {
    progress[i] = done;
    onProgress?.(
      progress.reduce((a, b) => a + b, 0),
      total,
    );
  };
  if (size === 1) return todo.map((p, i) => runSweepConfiguration(p.configuration, (done) => report(i, done)));
  const pool = new JobThreads(size, fileURLToPath(new URL('../job-thread.js', import.meta.url)));
  try {
    return await Promise.all(
      todo.map(async (p, i) => (await pool.run({ kind: 'point', configuration: p.configuration }, p.configuration.model.label, (done) => report(i, done))) as SweepRow[]),
    );
  } finally {
    await pool.close();
  }
}

async function runOnQueue(
  address: QueueAddress,
  todo: readonly Planned[],
  total: number,
  onProgress: SweepRun['onProgress'],
  timeLimitSeconds: number | undefined,
): Promise<SweepRow[][]> {
  if (todo.length === 0) return [];
  await checkReachable(address);
  const queue = new Queue(QUEUE_NAME, { connection: queueConnection(address) });
  queue.on('error', () => {});
  try {
    return await runJobs(
      queue,
      todo.map((p) => {
        const id = `point-${sha256Hex(JSON.stringify(p.configuration)).slice(0, 24)}`;
        const c = p.configuration;
        return {
          id,
          name: 'point',
          data: timeLimitSeconds === undefined ? c : { ...c, timeLimitSeconds },
          label: `${c.model.label} on ${c.chipLabel}`,
          size: c.dataset.count,
          read: (value: unknown) => readRows(value, c, id),
        };
      }),
      { onProgress: (done) => onProgress?.(done, total) },
    );
  } finally {
    await queue.close().catch(() => {});
  }
}

/** A point job's rows, checked to be the rows of that point before they enter the table. */
function readRows(value: unknown, c: SweepConfiguration, jobId: string): SweepRow[] {
  const rows = value as SweepRow[];
  const keys = c.profiles.map((p) => pointKey(c, p));
  if (!Array.isArray(rows) || rows.length !== keys.length || rows.some((r, i) => typeof r !== 'object' || r === null || r.key !== keys[i])) {
    throw new ClusterError(`job ${jobId}`, 'its result is not the rows of its point');
  }
  return rows;
}
