import { parentPort } from 'node:worker_threads';
import { decodeChipProgram } from '../chips/ir/chip-program-codec.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import { buildRuntime } from '../simulator/runtime.js';
import type { ChipProgram } from '../chips/ir/chip-program.js';
import { simulateImages, type Encoding } from '../simulator/simulate.js';
import type { SweepConfiguration } from './sweep/configuration.js';

/** A shard of a dataset run for a long-lived thread: images in hand, program bytes decoded only on a miss. */
export interface ThreadShard {
  readonly kind: 'shard';
  /** Names the decoded program to reuse: program hash and chip. */
  readonly runtimeKey: string;
  readonly programBytes: Uint8Array;
  readonly programFile: string;
  readonly spec: ChipSpec;
  readonly images: Uint8Array;
  /** Real values for a program that takes them (then `images` is empty), one frame per step with `framesPerStep`. */
  readonly values?: Float32Array;
  readonly framesPerStep?: boolean;
  readonly labels: Uint8Array;
  readonly first: number;
  readonly count: number;
  readonly encoding: Encoding;
  readonly seed: number;
  readonly raster?: readonly string[];
  /** Test-only (SPIKECHIP_TEST_JOB_SPIN): loop forever instead of running, as a stuck kernel would. */
  readonly spin?: boolean;
}

/** A sweep point (compile, check, simulate, price under each profile); the thread reads model and dataset itself. */
export interface ThreadPoint {
  readonly kind: 'point';
  readonly configuration: SweepConfiguration;
  /** Test-only (SPIKECHIP_TEST_JOB_SPIN), as for shards. */
  readonly spin?: boolean;
}

export type ThreadTask = ThreadShard | ThreadPoint;
export type ThreadMessage = { id: number; progress: number } | { id: number; timeLimitSeconds: number } | { id: number; result: unknown } | { id: number; error: string };

// The thread outlives its jobs so a worker decodes a program once, not per shard; and it
// runs off the main thread so the process keeps renewing its job locks while a job computes.
if (parentPort) {
  const port = parentPort;
  let cached: { key: string; program: ChipProgram } | null = null;
  port.on('message', async (task: ThreadTask & { id: number }) => {
    const { id } = task;
    let reported = 0;
    const progress = (done: number, total: number) => {
      if (done - reported >= 25 || done === total) {
        port.postMessage({ id, progress: done } satisfies ThreadMessage);
        reported = done;
      }
    };
    try {
      if (task.spin) for (;;);
      if (task.kind === 'point') {
        // Loaded on the first point only: the compiler and model readers would slow the start of a shard thread.
        const { runSweepConfiguration } = await import('./sweep/run-configuration.js');
        const { pointTimeLimitSeconds } = await import('./job-time-limit.js');
        const c = task.configuration;
        // Once compiled, the point's work is known: its time limit follows from it, as a shard's does.
        const compiled = (program: ChipProgram) =>
          port.postMessage({ id, timeLimitSeconds: pointTimeLimitSeconds(program, c.dataset.count, c.learning?.samples ?? 0) } satisfies ThreadMessage);
        const rows = runSweepConfiguration(c, (done) => progress(done, c.dataset.count), compiled);
        port.postMessage({ id, result: rows } satisfies ThreadMessage);
        return;
      }
      if (cached?.key !== task.runtimeKey) cached = { key: task.runtimeKey, program: decodeChipProgram(task.programBytes, task.programFile) };
      // A runtime per shard: a runtime's layers live in the arena of the first simulator built on it, so a second
      // simulator on the same runtime would fall back from the WebAssembly kernels to the slower TypeScript ones.
      const runtime = buildRuntime(cached.program, task.spec, task.programFile);
      const run = simulateImages(runtime, task, task.encoding, task.seed, (done) => progress(done, task.count), task.raster);
      port.postMessage({ id, result: run } satisfies ThreadMessage);
    } catch (error) {
      port.postMessage({ id, error: error instanceof Error ? error.message : String(error) } satisfies ThreadMessage);
    }
  });
}
