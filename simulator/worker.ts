import { parentPort, workerData } from 'node:worker_threads';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import { buildRuntime } from './runtime.js';
import { decodeForSimulation } from './simulation-program.js';
import { finishPackedRun } from './packed-run.js';
import { inferImages, type Encoding } from './simulate.js';

/** One worker thread's share of a dataset run: its own runtime, its own range of images. */
export interface WorkerTask {
  readonly programBytes: Uint8Array;
  readonly programFile: string;
  readonly spec: ChipSpec;
  readonly images: Uint8Array;
  /** Real-valued samples (model units) instead of 8-bit images, for a program whose input takes graded values. */
  readonly values?: Float32Array;
  /** `values` holds one frame per time step of each sample. */
  readonly framesPerStep?: boolean;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly first: number;
  readonly encoding: Encoding;
  readonly seed: number;
  /** Layers (or `all`) whose spikes to record in image 0 of the whole set. */
  readonly raster?: readonly string[];
}

/** How often a worker reports the images it finished (a progress bar's rate, a bench's marginal timing). */
const PROGRESS_MS = 100;

if (parentPort && workerData) {
  const task = workerData as WorkerTask;
  const runtime = buildRuntime(decodeForSimulation(task.programBytes, task.programFile), task.spec, task.programFile);
  let last = 0;
  let postedAt = -Infinity;
  // The first image at once (the runtime is built by then: a bench times from there), then at most every PROGRESS_MS.
  const inferred = inferImages(
    runtime,
    task,
    task.encoding,
    task.seed,
    (done) => {
      const now = performance.now();
      if (now - postedAt >= PROGRESS_MS || done === task.count) {
        parentPort!.postMessage({ progress: done - last });
        last = done;
        postedAt = now;
      }
    },
    task.raster,
  );
  const run = finishPackedRun(runtime, inferred);
  parentPort.postMessage({ run }, [run.counts.sums.buffer]);
}
