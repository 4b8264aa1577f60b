import { fileURLToPath } from 'node:url';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import type { EventSamples } from './event-input.js';
import type { EventWorkerTask } from './event-worker.js';
import { buildRuntime } from './runtime.js';
import { decodeForSimulation } from './simulation-program.js';
import { simulateEvents, sliceEventSamples } from './simulate-events.js';
import type { SimulationRun } from './simulate.js';
import { runInWorkers, workerCount } from './worker-pool.js';

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
  const workers = workerCount(task.workers, task.samples.count, import.meta.url);
  if (workers === 1) {
    const runtime = buildRuntime(decodeForSimulation(task.programBytes, task.programFile), task.spec, task.programFile);
    return simulateEvents(runtime, task.samples, task.onProgress, task.raster);
  }
  return runInWorkers({
    workerFile: fileURLToPath(new URL('./event-worker.js', import.meta.url)),
    programFile: task.programFile,
    count: task.samples.count,
    workers,
    onProgress: task.onProgress,
    taskFor: (first, count): EventWorkerTask => ({
      programBytes: task.programBytes,
      programFile: task.programFile,
      spec: task.spec,
      samples: sliceEventSamples(task.samples, first, count),
      holdsFirst: first === 0,
      ...(task.raster ? { raster: task.raster } : {}),
    }),
  });
}
