import { fileURLToPath } from 'node:url';
import { buildRuntime } from './runtime.js';
import { decodeForSimulation } from './simulation-program.js';
import { simulateImages, type SimulationRun } from './simulate.js';
import { runInWorkers, workerCount } from './worker-pool.js';
import type { WorkerTask } from './worker.js';

export interface DatasetRun extends Omit<WorkerTask, 'first'> {
  /** Worker threads (default: every CPU core). 1 runs in this thread. */
  readonly workers?: number;
  /** Images done so far, and how many workers have finished at least one (see runInWorkers). */
  readonly onProgress?: (done: number, startedWorkers: number) => void;
}

/**
 * Splits a dataset into contiguous ranges, one per CPU core, and merges their counts: the result is the same as
 * one thread running every image (Poisson input is seeded per image index, counts are sums).
 */
export async function simulateDataset(task: DatasetRun): Promise<SimulationRun> {
  const workers = workerCount(task.workers, task.count, import.meta.url);
  const size = (task.values ?? task.images).length / Math.max(1, task.count);
  if (workers === 1) {
    const runtime = buildRuntime(decodeForSimulation(task.programBytes, task.programFile), task.spec, task.programFile);
    const batch = {
      images: task.images,
      labels: task.labels,
      count: task.count,
      first: 0,
      ...(task.values ? { values: task.values, framesPerStep: task.framesPerStep === true } : {}),
    };
    const onProgress = task.onProgress;
    return simulateImages(runtime, batch, task.encoding, task.seed, onProgress && ((done) => onProgress(done, 1)), task.raster);
  }
  return runInWorkers({
    workerFile: fileURLToPath(new URL('./worker.js', import.meta.url)),
    programFile: task.programFile,
    count: task.count,
    workers,
    onProgress: task.onProgress,
    taskFor: (first, count): WorkerTask => ({
      programBytes: task.programBytes,
      programFile: task.programFile,
      spec: task.spec,
      images: task.values ? new Uint8Array(0) : task.images.subarray(first * size, (first + count) * size),
      ...(task.values ? { values: task.values.subarray(first * size, (first + count) * size), framesPerStep: task.framesPerStep === true } : {}),
      labels: task.labels.subarray(first, first + count),
      count,
      first,
      encoding: task.encoding,
      seed: task.seed,
      ...(task.raster ? { raster: task.raster } : {}),
    }),
  });
}
