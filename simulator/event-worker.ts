import { parentPort, workerData } from 'node:worker_threads';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import type { EventSamples } from './event-input.js';
import { buildRuntime } from './runtime.js';
import { decodeForSimulation } from './simulation-program.js';
import { finishPackedRun } from './packed-run.js';
import { inferEvents } from './simulate-events.js';

/** One worker thread's share of an event dataset: its own runtime, its own range of samples. */
export interface EventWorkerTask {
  readonly programBytes: Uint8Array;
  readonly programFile: string;
  readonly spec: ChipSpec;
  readonly samples: EventSamples;
  readonly raster?: readonly string[];
  readonly holdsFirst: boolean;
}

if (parentPort && workerData) {
  const task = workerData as EventWorkerTask;
  const runtime = buildRuntime(decodeForSimulation(task.programBytes, task.programFile), task.spec, task.programFile);
  let last = 0;
  const inferred = inferEvents(
    runtime,
    task.samples,
    (done) => {
      if (done - last >= 25 || done === task.samples.count) {
        parentPort!.postMessage({ progress: done - last });
        last = done;
      }
    },
    task.raster,
    task.holdsFirst,
  );
  const run = finishPackedRun(runtime, inferred);
  parentPort.postMessage({ run }, [run.counts.sums.buffer]);
}
