import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { decodeChipProgram } from '../chips/ir/chip-program-codec.js';
import { SimulationError } from './errors.js';
import { buildRuntime } from './runtime.js';
import { mergeRuns, simulateImages, type SimulationRun } from './simulate.js';
import type { WorkerTask } from './worker.js';

export interface DatasetRun extends Omit<WorkerTask, 'first'> {
  /** Worker threads (default: every CPU core). 1 runs in this thread. */
  readonly workers?: number;
  readonly onProgress?: (done: number) => void;
}

/**
 * Splits a dataset into contiguous ranges, one per CPU core, and merges their counts: the result is the same as
 * one thread running every image (Poisson input is seeded per image index, counts are sums).
 */
export async function simulateDataset(task: DatasetRun): Promise<SimulationRun> {
  const workerFile = fileURLToPath(new URL('./worker.js', import.meta.url));
  // From the TypeScript sources (tests) there is no compiled worker to start: run in this thread.
  const canFork = import.meta.url.endsWith('.js');
  const workers = Math.max(1, Math.min(task.workers ?? availableParallelism(), task.count, canFork ? Infinity : 1));
  const size = task.images.length / Math.max(1, task.count);
  if (workers === 1) {
    const runtime = buildRuntime(decodeChipProgram(task.programBytes, task.programFile), task.spec, task.programFile);
    return simulateImages(runtime, { images: task.images, labels: task.labels, count: task.count, first: 0 }, task.encoding, task.seed, task.onProgress, task.raster);
  }
  let done = 0;
  const per = Math.ceil(task.count / workers);
  const runs = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const first = w * per;
      const count = Math.max(0, Math.min(per, task.count - first));
      const data: WorkerTask = {
        programBytes: task.programBytes,
        programFile: task.programFile,
        spec: task.spec,
        images: task.images.subarray(first * size, (first + count) * size),
        labels: task.labels.subarray(first, first + count),
        count,
        first,
        encoding: task.encoding,
        seed: task.seed,
        ...(task.raster ? { raster: task.raster } : {}),
      };
      return new Promise<SimulationRun>((resolve, reject) => {
        const worker = new Worker(workerFile, { workerData: data });
        worker.on('message', (message: { progress?: number; run?: SimulationRun }) => {
          if (message.progress) {
            done += message.progress;
            task.onProgress?.(done);
          }
          if (message.run) resolve(message.run);
        });
        worker.on('error', (err) => reject(err instanceof Error && err.name === 'SimulationError' ? new SimulationError(task.programFile, err.message) : err));
        worker.on('exit', (code) => {
          if (code !== 0) reject(new SimulationError(task.programFile, `a simulation worker stopped with exit code ${code}`));
        });
      });
    }),
  );
  return mergeRuns(runs);
}
