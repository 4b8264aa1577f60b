import { parentPort, workerData } from 'node:worker_threads';
import { decodeChipProgram } from '../chips/ir/chip-program-codec.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import type { EventSamples } from './event-input.js';
import { buildRuntime } from './runtime.js';
import { simulateEvents } from './simulate-events.js';

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
  const runtime = buildRuntime(decodeChipProgram(task.programBytes, task.programFile), task.spec, task.programFile);
  let last = 0;
  const run = simulateEvents(
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
  parentPort.postMessage({ run });
}
