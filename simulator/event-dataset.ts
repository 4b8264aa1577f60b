import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { decodeChipProgram } from '../chips/ir/chip-program-codec.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import { SimulationError } from './errors.js';
import type { EventSamples } from './event-input.js';
import type { EventWorkerTask } from './event-worker.js';
import { buildRuntime } from './runtime.js';
import { simulateEvents, sliceEventSamples } from './simulate-events.js';
import { mergeRuns, type SimulationRun } from './simulate.js';

export interface EventDatasetRun {
  readonly programBytes: Uint8Array;
  readonly programFile: string;
  readonly spec: ChipSpec;
  readonly samples: EventSamples;
  /** Worker threads (default: every CPU core). 1 runs in this thread. */
  readonly workers?: number;
  readonly onProgress?: (done: number) => void;
  /** Layers (or `all`) whose spikes in sample 0 to record for a raster plot. */
  readonly raster?: readonly string[];
}

/**
 * Event samples split into contiguous ranges, one per worker thread, counts merged: the same result as one thread
 * running every sample (event input has no random part, and counts are sums).
 */
export async function simulateEventDataset(task: EventDatasetRun): Promise<SimulationRun> {
  const workerFile = fileURLToPath(new URL('./event-worker.js', import.meta.url));
  // From the TypeScript sources (tests) there is no compiled worker to start: run in this thread.
  const canFork = import.meta.url.endsWith('.js');
  const total = task.samples.count;
  const workers = Math.max(1, Math.min(task.workers ?? availableParallelism(), total, canFork ? Infinity : 1));
  if (workers === 1) {
    const runtime = buildRuntime(decodeChipProgram(task.programBytes, task.programFile), task.spec, task.programFile);
    return simulateEvents(runtime, task.samples, task.onProgress, task.raster);
  }
  let done = 0;
  const per = Math.ceil(total / workers);
  const runs = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const first = Math.min(total, w * per);
      const count = Math.max(0, Math.min(per, total - first));
      const data: EventWorkerTask = { programBytes: task.programBytes, programFile: task.programFile, spec: task.spec, samples: sliceEventSamples(task.samples, first, count), holdsFirst: first === 0, ...(task.raster ? { raster: task.raster } : {}) };
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
