import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { ChipSpecError } from '../chips/errors.js';
import { queueConnection, checkReachable, openRedis } from './connection.js';
import { loadDatasetRef } from './dataset-ref.js';
import { ClusterError } from './errors.js';
import { fetchProgram } from './program-store.js';
import type { QueueAddress } from './queue-url.js';
import { runToWire, type WireRun } from './run-wire.js';
import { readShardJob } from './shard-job.js';
import { QUEUE_NAME } from './shards.js';
import { resolveChipRef } from './chip-ref.js';
import { POINT_COMPILE_SECONDS } from './job-time-limit.js';
import { JobThreads } from './thread-pool.js';
import { readSweepConfiguration } from './sweep/configuration.js';
import type { SweepRow } from './sweep/sweep-row.js';
import type { SimulationRun } from '../simulator/simulate.js';

/**
 * How long a job's lock lasts without renewal, and how often workers look for jobs whose lock lapsed: a worker
 * killed mid-job gives its job back to the queue within about LOCK_MS + STALLED_CHECK_MS.
 */
export const LOCK_MS = 5000;
export const STALLED_CHECK_MS = 2500;
/** A job may be given back this many times (worker lost, Redis restarted) before it counts as failed. */
const MAX_STALLED = 5;
/** Progress reaches Redis at most this often per job. */
const PROGRESS_MS = 200;

export interface QueueWorker {
  readonly name: string;
  close(): Promise<void>;
}

/**
 * Takes jobs from the queue and runs them, `concurrency` at a time, each on a long-lived simulation thread.
 * A job's payload is read with the spec-file field readers before anything runs; a payload that does not read
 * fails at once (UnrecoverableError: no retry can fix it), anything else is retried by BullMQ.
 */
export async function startQueueWorker(address: QueueAddress, concurrency: number, log: (line: string) => void): Promise<QueueWorker> {
  await checkReachable(address);
  const name = `${hostname()}:${process.pid}`;
  const redis = openRedis(address);
  redis.on('error', () => {});
  const threads = new JobThreads(concurrency, fileURLToPath(new URL('./job-thread.js', import.meta.url)));
  const programs = new Map<string, Uint8Array>();
  // Test-only (documented in the README's cluster section): `first` makes this worker's first shard spin forever on
  // its thread, `every` every job (shard or sweep point), as a bug in a kernel would leave a job alive but never finishing.
  const spinHook = process.env.SPIKECHIP_TEST_JOB_SPIN;
  let spun = false;
  const takeSpin = () => {
    const spin = spinHook === 'every' || (spinHook === 'first' && !spun);
    spun ||= spin;
    return spin;
  };

  const progressOf = (job: Job, total: number) => {
    let last = 0;
    return (done: number) => {
      const now = performance.now();
      if (now - last < PROGRESS_MS && done < total) return;
      last = now;
      job.updateProgress(done).catch(() => {});
    };
  };

  const runPoint = async (job: Job): Promise<SweepRow[]> => {
    const started = performance.now();
    const configuration = readPayload(() => readSweepConfiguration(job.data, 'payload'));
    log(`job ${job.id}: started (try ${job.attemptsMade + 1})`);
    const spin = takeSpin();
    const limit = configuration.timeLimitSeconds;
    const rows = (await threads.run(
      { kind: 'point', configuration, ...(spin ? { spin } : {}) },
      configuration.model.label,
      progressOf(job, configuration.dataset.count),
      limit ?? POINT_COMPILE_SECONDS,
      limit === undefined,
    )) as SweepRow[];
    log(`job ${job.id}: point ${configuration.model.label} on ${configuration.chipLabel} in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    return rows;
  };

  const runShard = async (job: Job): Promise<WireRun> => {
    const started = performance.now();
    const shard = readPayload(() => readShardJob(job.data, 'payload'));
    let programBytes = programs.get(shard.program);
    if (!programBytes) {
      programBytes = await fetchProgram(redis, shard.program);
      if (programs.size >= 4) programs.delete(programs.keys().next().value!);
      programs.set(shard.program, programBytes);
    }
    log(`job ${job.id}: started (try ${job.attemptsMade + 1})`);
    const spec = resolveChipRef(shard.chip);
    const samples = loadDatasetRef(shard.dataset);
    const spin = takeSpin();
    const size = (samples.values ?? samples.images).length / samples.count;
    const range = [shard.first * size, (shard.first + shard.count) * size] as const;
    const run = (await threads.run(
      {
        kind: 'shard',
        runtimeKey: `${shard.program}\n${'builtin' in shard.chip ? shard.chip.builtin : JSON.stringify(shard.chip.spec)}`,
        programBytes,
        programFile: shard.programFile,
        spec,
        images: samples.values ? new Uint8Array(0) : samples.images.slice(...range),
        ...(samples.values ? { values: samples.values.slice(...range), framesPerStep: samples.framesPerStep } : {}),
        labels: samples.labels.slice(shard.first, shard.first + shard.count),
        first: shard.first,
        count: shard.count,
        encoding: shard.encoding,
        seed: shard.seed,
        ...(shard.raster ? { raster: shard.raster } : {}),
        ...(spin ? { spin } : {}),
      },
      shard.programFile,
      progressOf(job, shard.count),
      shard.timeLimitSeconds,
    )) as SimulationRun;
    log(`job ${job.id}: samples ${shard.first}..${shard.first + shard.count - 1} in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    return runToWire(run);
  };

  const runJob = (job: Job): Promise<unknown> => {
    if (job.name === 'shard') return runShard(job);
    if (job.name === 'point') return runPoint(job);
    return Promise.reject(new UnrecoverableError(`job ${job.id}: unknown kind '${job.name}' (this worker runs shard and point jobs)`));
  };

  const worker = new Worker(QUEUE_NAME, runJob, {
    connection: queueConnection(address),
    concurrency,
    name,
    lockDuration: LOCK_MS,
    stalledInterval: STALLED_CHECK_MS,
    maxStalledCount: MAX_STALLED,
  });
  let lastError = '';
  worker.on('error', (error) => {
    // Redis going away repeats the same error at every reconnect attempt: say it once per change.
    if (error.message !== lastError) log(`queue: ${error.message}`);
    lastError = error.message;
  });
  worker.on('failed', (job, error) => log(`job ${job?.id ?? '?'} failed (try ${job?.attemptsMade ?? '?'}): ${error.message}`));
  await worker.waitUntilReady();
  return {
    name,
    async close() {
      await worker.close();
      await threads.close();
      redis.disconnect();
    },
  };
}

/** A payload that does not read fails at once: no retry can fix it (UnrecoverableError skips the remaining tries). */
function readPayload<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ChipSpecError || error instanceof ClusterError) throw new UnrecoverableError(error.message);
    throw error;
  }
}
