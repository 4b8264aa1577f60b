import { Queue } from 'bullmq';
import { decodeChipProgram } from '../chips/ir/chip-program-codec.js';
import type { ChipProgram } from '../chips/ir/chip-program.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import { mergeRuns, type Encoding, type SimulationRun } from '../simulator/simulate.js';
import { chipRef } from './chip-ref.js';
import { checkReachable, openRedis, queueConnection } from './connection.js';
import { sha256Hex } from './content-hash.js';
import type { DatasetRef } from './dataset-ref.js';
import { ClusterError } from './errors.js';
import { runJobs } from './job-tracker.js';
import { storeProgram } from './program-store.js';
import type { QueueAddress } from './queue-url.js';
import { runFromWire } from './run-wire.js';
import { shardTimeLimitSeconds } from './job-time-limit.js';
import { MAX_JOB_SECONDS, type ShardJob } from './shard-job.js';
import { defaultShardSize, QUEUE_NAME, splitIntoRanges } from './shards.js';

/**
 * The `queue` bench row measures 7 to 10 ms per job beyond its simulation (20 to 40 ms on a machine loaded several
 * times over); 200 images of the bundled model take a quiet core about 0.15 s, so smaller shards would spend more
 * than a few percent of their time on the queue.
 */
export const MIN_SHARD_SAMPLES = 200;

export interface QueueSimulation {
  readonly address: QueueAddress;
  readonly programBytes: Uint8Array;
  readonly programFile: string;
  readonly spec: ChipSpec;
  /** The samples as the local run reads them, by path and hash: workers read the same from their disks and check it. */
  readonly dataset: DatasetRef;
  readonly encoding: Encoding;
  readonly seed: number;
  readonly raster?: readonly string[] | undefined;
  readonly shardSize?: number | undefined;
  /** The program decoded (decoded from `programBytes` when absent), for the shards' time limits. */
  readonly program?: ChipProgram | undefined;
  /** Seconds after which a worker terminates a shard's thread; default: from the shard's work (job-time-limit.ts). */
  readonly jobTimeLimitSeconds?: number | undefined;
  readonly onProgress?: ((done: number) => void) | undefined;
}

/**
 * A dataset run as jobs on the queue: contiguous ranges of samples, merged in sample order exactly as the local
 * worker threads' ranges are, so the report is the same bytes. Job ids are derived from the work (program,
 * chip, dataset, encoding, seed, range), so resubmitting reuses what the cluster already did.
 */
export async function simulateOnQueue(run: QueueSimulation): Promise<SimulationRun> {
  if (run.shardSize !== undefined && (!Number.isInteger(run.shardSize) || run.shardSize < 1))
    throw new ClusterError('--shard-size', `must be a positive integer, got ${run.shardSize}`);
  if (run.jobTimeLimitSeconds !== undefined && (!Number.isInteger(run.jobTimeLimitSeconds) || run.jobTimeLimitSeconds < 1 || run.jobTimeLimitSeconds > MAX_JOB_SECONDS))
    throw new ClusterError('--job-time-limit', `must be a whole number of seconds in 1..${MAX_JOB_SECONDS}, got ${run.jobTimeLimitSeconds}`);
  const decoded = run.program ?? decodeChipProgram(run.programBytes, run.programFile);
  await checkReachable(run.address);
  const redis = openRedis(run.address);
  redis.on('error', () => {});
  const queue = new Queue(QUEUE_NAME, { connection: queueConnection(run.address) });
  queue.on('error', () => {});
  try {
    const program = await storeProgram(redis, run.programBytes);
    const dataset = run.dataset;
    const chip = chipRef(run.spec);
    const work = sha256Hex(
      JSON.stringify({ program, chip, dataset: dataset.sha256, count: dataset.count, encoding: run.encoding, seed: run.seed, raster: run.raster ?? null }),
    ).slice(0, 20);
    const ranges = splitIntoRanges(dataset.count, run.shardSize ?? defaultShardSize(dataset.count, MIN_SHARD_SAMPLES));
    const runs = await runJobs(
      queue,
      ranges.map((range) => {
        const id = `shard-${work}-${range.first}-${range.count}`;
        const data: ShardJob = {
          kind: 'shard',
          program,
          programFile: run.programFile,
          chip,
          dataset,
          first: range.first,
          count: range.count,
          encoding: run.encoding,
          seed: run.seed,
          ...(run.raster?.length ? { raster: run.raster } : {}),
          timeLimitSeconds: run.jobTimeLimitSeconds ?? shardTimeLimitSeconds(decoded, range.count),
        };
        return {
          id,
          name: 'shard',
          data,
          label: `samples ${range.first}..${range.first + range.count - 1}`,
          size: range.count,
          read: (value: unknown) => runFromWire(value, range.count, id),
        };
      }),
      // A run that outlived its program in Redis (expired, or Redis restarted empty) stores it again before re-adding jobs.
      { onProgress: run.onProgress, beforeAdd: async () => void (await storeProgram(redis, run.programBytes)) },
    );
    return mergeRuns(runs);
  } finally {
    await queue.close().catch(() => {});
    redis.disconnect();
  }
}
