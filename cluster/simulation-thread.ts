import { parentPort } from 'node:worker_threads';
import { decodeChipProgram } from '../chips/ir/chip-program-codec.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import { buildRuntime, type ProgramRuntime } from '../simulator/runtime.js';
import { simulateImages, type Encoding } from '../simulator/simulate.js';

/** One shard for a long-lived simulation thread of a worker process. */
export interface ThreadShard {
  readonly id: number;
  /** Names the runtime to reuse: program hash and chip; the bytes are decoded only on a miss. */
  readonly runtimeKey: string;
  readonly programBytes: Uint8Array;
  readonly programFile: string;
  readonly spec: ChipSpec;
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly first: number;
  readonly count: number;
  readonly encoding: Encoding;
  readonly seed: number;
  readonly raster?: readonly string[];
}

export type ThreadMessage = { id: number; progress: number } | { id: number; run: unknown } | { id: number; error: string };

// The thread outlives its jobs so a worker pays for decoding a program and building its runtime once, not per
// shard; it runs off the main thread so the process keeps renewing its job locks while a shard computes.
if (parentPort) {
  const port = parentPort;
  let cached: { key: string; runtime: ProgramRuntime } | null = null;
  port.on('message', (shard: ThreadShard) => {
    try {
      if (cached?.key !== shard.runtimeKey) {
        cached = { key: shard.runtimeKey, runtime: buildRuntime(decodeChipProgram(shard.programBytes, shard.programFile), shard.spec, shard.programFile) };
      }
      let reported = 0;
      const run = simulateImages(cached.runtime, shard, shard.encoding, shard.seed, (done) => {
        if (done - reported >= 10 || done === shard.count) {
          port.postMessage({ id: shard.id, progress: done } satisfies ThreadMessage);
          reported = done;
        }
      }, shard.raster);
      port.postMessage({ id: shard.id, run } satisfies ThreadMessage);
    } catch (error) {
      port.postMessage({ id: shard.id, error: error instanceof Error ? error.message : String(error) } satisfies ThreadMessage);
    }
  });
}
