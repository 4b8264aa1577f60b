import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { encodeChipProgram } from '../chips/ir/chip-program-codec.js';
import { getChip } from '../chips/registry.js';
import { parseQueueUrl } from '../cluster/queue-url.js';
import { MIN_SHARD_SAMPLES, simulateOnQueue } from '../cluster/queue-simulate.js';
import { defaultShardSize } from '../cluster/shards.js';
import { compile } from '../compiler/compile.js';
import { bundledModelPath } from '../models/bundled/bundled.js';
import { defaultFashionMnistDir, loadFashionMnist } from '../models/datasets/fashion-mnist.js';
import { readModelFile } from '../models/format/model-file.js';
import { simulateDataset } from '../simulator/parallel.js';

export type QueueBench =
  | {
      readonly images: number;
      /** Local worker threads (one per core) against the same number of `spikechip worker` processes. */
      readonly workers: number;
      /** The faster of two local runs, one before and one after the queued runs. */
      readonly localImagesPerSec: number;
      readonly shardSize: number;
      readonly jobs: number;
      /** The first queued run, workers freshly started (they read the dataset and build the runtime on their first job). */
      readonly queueColdImagesPerSec: number;
      /** The same run again on the same workers. */
      readonly queueWarmImagesPerSec: number;
      readonly queueToLocal: number;
      readonly queueWarmToLocal: number;
      /** Wall-clock cost of one more job, from the same run cut into many small shards. */
      readonly perJobOverheadMs: number;
      readonly smallShardSize: number;
    }
  | { readonly skipped: string };

const WORKERS = 2;
const SMALL_SHARD = 10;

/**
 * The bundled model's test set through the queue (a redis-server of its own, two `spikechip worker` processes on
 * this machine) beside the local worker-thread run of the same images in the same bench run; then the same run cut
 * into small shards, whose extra time per extra job is the per-job overhead.
 */
export async function benchQueue(limit: number | undefined, stage: (what: string) => void): Promise<QueueBench> {
  if (spawnSync('redis-server', ['--version']).status !== 0) return { skipped: 'redis-server is not installed (apt-get install redis-server)' };
  const model = readModelFile(bundledModelPath());
  const spec = getChip('loihi2');
  const programBytes = encodeChipProgram(compile(model, spec, { chips: 'auto', threshold: 'auto' }).program!);
  const set = loadFashionMnist(defaultFashionMnistDir(), 'test', limit);
  const timed = async (run: () => Promise<unknown>) => {
    const started = performance.now();
    await run();
    return (performance.now() - started) / 1000;
  };

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
  stage('the queue row: local worker threads');
  const localFirst = await timed(localRun);

  const dir = mkdtempSync(join(tmpdir(), 'spikechip-bench-queue-'));
  const port = await freePort();
  const processes: ChildProcess[] = [spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })];
  try {
    await waitForRedis(port);
    const url = `redis://127.0.0.1:${port}`;
    const main = fileURLToPath(new URL('../cli/main.js', import.meta.url));
    for (let i = 0; i < WORKERS; i++) processes.push(await startWorker(main, url));
    const onQueue = (shardSize: number) => () =>
      simulateOnQueue({ address: parseQueueUrl(url), programBytes, programFile: 'bundled.loihi2.chip.pb', spec, set, encoding: 'direct', seed: 1, shardSize });
    const shardSize = defaultShardSize(set.count, MIN_SHARD_SAMPLES);
    stage('the queue row: two worker processes, cold');
    const cold = await timed(onQueue(shardSize));
    stage('the queue row: two worker processes, warm');
    const warm = await timed(onQueue(shardSize));
    stage(`the queue row: shards of ${SMALL_SHARD} images`);
    const small = await timed(onQueue(SMALL_SHARD));
    // The local run again, so a machine whose load changed during the row does not favour either side.
    stage('the queue row: local worker threads again');
    const localAgain = await timed(localRun);
    const localSeconds = Math.min(localFirst, localAgain);
    const jobs = Math.ceil(set.count / shardSize);
    const smallJobs = Math.ceil(set.count / SMALL_SHARD);
    return {
      images: set.count,
      workers: WORKERS,
      localImagesPerSec: set.count / localSeconds,
      shardSize,
      jobs,
      queueColdImagesPerSec: set.count / cold,
      queueWarmImagesPerSec: set.count / warm,
      queueToLocal: localSeconds / cold,
      queueWarmToLocal: localSeconds / warm,
      // WORKERS jobs run at once, so each extra job adds its overhead / WORKERS to the wall clock.
      perJobOverheadMs: (Math.max(0, small - warm) * 1000 * WORKERS) / (smallJobs - jobs),
      smallShardSize: SMALL_SHARD,
    };
  } finally {
    for (const p of processes) p.kill('SIGTERM');
    await Promise.all(processes.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((resolve) => p.once('exit', resolve)) : null)));
    rmSync(dir, { recursive: true, force: true });
  }
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
