import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { encodeChipProgram } from '../chips/ir/chip-program-codec.js';
import { getChip } from '../chips/registry.js';
import { datasetRef } from '../cluster/dataset-ref.js';
import { parseQueueUrl } from '../cluster/queue-url.js';
import { MIN_SHARD_SAMPLES, simulateOnQueue } from '../cluster/queue-simulate.js';
import { defaultShardSize } from '../cluster/shards.js';
import { compile } from '../compiler/compile.js';
import { bundledModelPath } from '../models/bundled/bundled.js';
import { defaultFashionMnistDir, loadFashionMnist } from '../models/datasets/fashion-mnist.js';
import { readModelFile } from '../models/format/model-file.js';
import { simulateDataset } from '../simulator/parallel.js';

/** One round: fresh worker processes, the local run, then the same images through the queue twice. */
export interface QueueRound {
  readonly localImagesPerSec: number;
  /** The first queued run on freshly started workers (they read the dataset and fetch the program on their first job). */
  readonly queueColdImagesPerSec: number;
  /** The same run again on the same workers. */
  readonly queueWarmImagesPerSec: number;
  readonly coldToLocal: number;
  readonly warmToLocal: number;
  /**
   * CPU seconds each run took on this machine (the bench process with its threads; the worker processes, the
   * submitter and redis-server for the queue): what the load of other processes changes least. Null off Linux.
   */
  readonly cpuSeconds: { readonly local: number; readonly queueCold: number; readonly queueWarm: number } | null;
}

export type QueueBench =
  | {
      readonly images: number;
      /** Local worker threads against the same number of `spikechip worker` processes. */
      readonly workers: number;
      readonly shardSize: number;
      readonly jobs: number;
      readonly rounds: readonly QueueRound[];
      /** Medians over the rounds, and their spread (lowest, highest). */
      readonly queueToLocal: number;
      readonly queueToLocalRange: readonly [number, number];
      readonly queueWarmToLocal: number;
      readonly queueWarmToLocalRange: readonly [number, number];
      /** Local CPU seconds over queue CPU seconds, median of the rounds (cold, warm). */
      readonly cpuQueueToLocal: number | null;
      readonly cpuQueueWarmToLocal: number | null;
      /** Wall-clock cost of one more job, from the same images cut into many small shards (last round's workers). */
      readonly perJobOverheadMs: number;
      /** The CPU milliseconds one more job costs all processes together (submitter, workers, redis-server), from the same runs. */
      readonly perJobCpuMs: number | null;
      readonly smallShardSize: number;
    }
  | { readonly skipped: string };

const WORKERS = 2;
const ROUNDS = 3;
const SMALL_SHARD = 10;

/**
 * The bundled model's test set through the queue (a redis-server of its own, two `spikechip worker` processes on
 * this machine) beside the local worker-thread run of the same images, in ROUNDS rounds: each starts fresh workers
 * and runs local, queue (cold), queue (warm) back to back, so every ratio compares runs seconds apart on a machine
 * whose load may change from minute to minute. Then the same run cut into small shards, whose extra time per extra
 * job is the per-job overhead.
 */
export async function benchQueue(limit: number | undefined, stage: (what: string) => void): Promise<QueueBench> {
  if (spawnSync('redis-server', ['--version']).status !== 0) return { skipped: 'redis-server is not installed (apt-get install redis-server)' };
  const model = readModelFile(bundledModelPath());
  const spec = getChip('loihi2');
  const programBytes = encodeChipProgram(compile(model, spec, { chips: 'auto', threshold: 'auto' }).program!);
  const set = loadFashionMnist(defaultFashionMnistDir(), 'test', limit);
  const dataset = datasetRef(set);
  const localRun = () =>
    simulateDataset({
      programBytes,
      programFile: 'bundled.loihi2.chip.pb',
      spec,
      images: set.images,
      labels: set.labels,
      count: set.count,
      encoding: 'direct',
      seed: 1,
      workers: WORKERS,
    });

  const dir = mkdtempSync(join(tmpdir(), 'spikechip-bench-queue-'));
  const port = await freePort();
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  let workers: ChildProcess[] = [];
  try {
    await waitForRedis(port);
    const url = `redis://127.0.0.1:${port}`;
    const main = fileURLToPath(new URL('../cli/main.js', import.meta.url));
    const onQueue = (shardSize: number) => () =>
      simulateOnQueue({ address: parseQueueUrl(url), programBytes, programFile: 'bundled.loihi2.chip.pb', spec, dataset, encoding: 'direct', seed: 1, shardSize });
    // Wall seconds and CPU seconds of one run; the CPU of the processes that took part in it.
    const measure = async (run: () => Promise<unknown>, processes: readonly ChildProcess[]) => {
      const cpuBefore = cpuSeconds(processes);
      const started = performance.now();
      await run();
      const wall = (performance.now() - started) / 1000;
      const cpuAfter = cpuSeconds(processes);
      return { wall, cpu: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore };
    };
    const shardSize = defaultShardSize(set.count, MIN_SHARD_SAMPLES);
    const rounds: QueueRound[] = [];
    let perJobOverheadMs = 0;
    let perJobCpuMs: number | null = null;
    for (let round = 1; round <= ROUNDS; round++) {
      workers = [];
      for (let i = 0; i < WORKERS; i++) workers.push(await startWorker(main, url));
      stage(`the queue row, round ${round} of ${ROUNDS}: local worker threads`);
      const local = await measure(localRun, []);
      stage(`the queue row, round ${round} of ${ROUNDS}: two worker processes, cold`);
      const cold = await measure(onQueue(shardSize), [...workers, redis]);
      stage(`the queue row, round ${round} of ${ROUNDS}: two worker processes, warm`);
      const warm = await measure(onQueue(shardSize), [...workers, redis]);
      rounds.push({
        localImagesPerSec: set.count / local.wall,
        queueColdImagesPerSec: set.count / cold.wall,
        queueWarmImagesPerSec: set.count / warm.wall,
        coldToLocal: local.wall / cold.wall,
        warmToLocal: local.wall / warm.wall,
        cpuSeconds: local.cpu === null || cold.cpu === null || warm.cpu === null ? null : { local: local.cpu, queueCold: cold.cpu, queueWarm: warm.cpu },
      });
      if (round === ROUNDS) {
        stage(`the queue row: shards of ${SMALL_SHARD} images`);
        const small = await measure(onQueue(SMALL_SHARD), [...workers, redis]);
        const extraJobs = Math.ceil(set.count / SMALL_SHARD) - Math.ceil(set.count / shardSize);
        // WORKERS jobs run at once, so each extra job adds its overhead / WORKERS to the wall clock.
        perJobOverheadMs = (Math.max(0, small.wall - warm.wall) * 1000 * WORKERS) / Math.max(1, extraJobs);
        perJobCpuMs = small.cpu === null || warm.cpu === null ? null : (Math.max(0, small.cpu - warm.cpu) * 1000) / Math.max(1, extraJobs);
      }
      await stopAll(workers);
    }
    const cpuRatios = (key: 'queueCold' | 'queueWarm') => (rounds.every((r) => r.cpuSeconds) ? median(rounds.map((r) => r.cpuSeconds!.local / r.cpuSeconds![key])) : null);
    return {
      images: set.count,
      workers: WORKERS,
      shardSize,
      jobs: Math.ceil(set.count / shardSize),
      rounds,
      queueToLocal: median(rounds.map((r) => r.coldToLocal)),
      queueToLocalRange: range(rounds.map((r) => r.coldToLocal)),
      queueWarmToLocal: median(rounds.map((r) => r.warmToLocal)),
      queueWarmToLocalRange: range(rounds.map((r) => r.warmToLocal)),
      cpuQueueToLocal: cpuRatios('queueCold'),
      cpuQueueWarmToLocal: cpuRatios('queueWarm'),
      perJobOverheadMs,
      perJobCpuMs,
      smallShardSize: SMALL_SHARD,
    };
  } finally {
    await stopAll([...workers, redis]);
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function range(values: readonly number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

/** CPU seconds (user + system) of this process and its threads plus the given child processes, from /proc; null where /proc is absent. */
function cpuSeconds(children: readonly ChildProcess[]): number | null {
  const own = process.cpuUsage();
  let total = (own.user + own.system) / 1e6;
  for (const child of children) {
    try {
      // Fields after the command name, whose parentheses may hold spaces: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    } catch {
      return null;
    }
  }
  return total;
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times, is 100 on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

async function stopAll(processes: readonly ChildProcess[]): Promise<void> {
  for (const p of processes) p.kill('SIGTERM');
  await Promise.all(processes.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((resolve) => p.once('exit', resolve)) : null)));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitForRedis(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      client.disconnect();
    }
  }
  throw new Error(`redis-server did not answer on port ${port}`);
}

function startWorker(main: string, url: string): Promise<ChildProcess> {
  const worker = spawn(process.execPath, [main, 'worker', '--queue', url], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stderr = '';
    worker.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('taking jobs')) resolve(worker);
    });
    worker.once('exit', (code) => reject(new Error(`spikechip worker exited (${code}): ${stderr}`)));
  });
}
