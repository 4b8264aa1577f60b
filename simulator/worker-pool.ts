import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SimulationError } from './errors.js';
import { mergePackedRuns, type PackedRun } from './packed-run.js';
import type { SimulationRun } from './simulate.js';

/**
 * How many threads a dataset of `count` samples gets: the request (default every CPU core), at most one per
 * sample, and 1 when running from the TypeScript sources (tests), where there is no compiled worker to start.
 */
export function workerCount(requested: number | undefined, count: number, moduleUrl: string): number {
  // A fractional count would split the samples into ranges that do not cover them all.
  if (requested !== undefined && !(Number.isInteger(requested) && requested >= 1)) throw new RangeError(`workers must be a whole number of threads, at least 1; got ${requested}`);
  const canFork = moduleUrl.endsWith('.js');
  return Math.max(1, Math.min(requested ?? availableParallelism(), count, canFork ? Infinity : 1));
}

/**
 * Splits `count` samples into contiguous ranges, one worker thread each, and merges their runs: the same result as
 * one thread running every sample, since counts are sums and every random draw is seeded per sample index.
 * Workers post `{ progress }` every few samples and `{ run }` once at the end, its counts packed (PackedRun).
 */
export async function runInWorkers<Task>(options: {
  readonly workerFile: string;
  readonly programFile: string;
  readonly count: number;
  readonly workers: number;
  readonly taskFor: (first: number, count: number) => Task;
  /** Images done so far over every worker, and how many workers have finished at least one (the others still build their runtime). */
  readonly onProgress?: ((done: number, startedWorkers: number) => void) | undefined;
}): Promise<SimulationRun> {
  let done = 0;
  let started = 0;
  const per = Math.ceil(options.count / options.workers);
  const runs = await Promise.all(
    Array.from({ length: options.workers }, (_, w) => {
      const first = Math.min(options.count, w * per);
      const count = Math.max(0, Math.min(per, options.count - first));
      return new Promise<PackedRun>((resolve, reject) => {
        const worker = new Worker(options.workerFile, { workerData: options.taskFor(first, count) });
        let reported = false;
        worker.on('message', (message: { progress?: number; run?: PackedRun }) => {
          if (message.progress) {
            if (!reported) started++;
            reported = true;
            done += message.progress;
            options.onProgress?.(done, started);
          }
          if (message.run) resolve(message.run);
        });
        worker.on('error', (err) => reject(err instanceof Error && err.name === 'SimulationError' ? new SimulationError(options.programFile, err.message) : err));
        worker.on('exit', (code) => {
          if (code !== 0) reject(new SimulationError(options.programFile, `a simulation worker stopped with exit code ${code}`));
        });
      });
    }),
  );
  return mergePackedRuns(runs);
}
