import { publish, waitWhileEqual } from './barrier.js';
import { PROGRESS_STRIDE, type FreeRunLayout } from './free-run-layout.js';
import { FreeRunShare } from './free-run-wasm.js';

/** The progress a failed share publishes: past any step, so no other share waits for it. */
export const ABANDONED = 2 ** 31 - 1;

/** The limit word's value that ends a worker's share loop (followLimit). */
export const FINISHED = -1;

/**
 * One share's steps in a thread of its own, in one WebAssembly call: before step t it waits for every other share
 * to have published its spikes of step t - 1, after it publishes its own progress.
 */
export function runShareLoop(memory: WebAssembly.Memory, layout: FreeRunLayout, share: number, module?: WebAssembly.Module): FreeRunShare {
  return releasingOnFailure(memory, layout, share, () => {
    const runner = new FreeRunShare(memory, layout, share, module);
    runner.run(0, layout.steps);
    return runner;
  });
}

/**
 * A worker's share of a paced free run (free-run-threads.ts): runs its share from its published progress up to the
 * limit word whenever the limit is ahead, and sleeps while it is not (the main thread then runs every share itself,
 * this one included, past the limit); returns when the limit says FINISHED.
 */
export function followLimit(memory: WebAssembly.Memory, layout: FreeRunLayout, share: number, limitAt: number, module?: WebAssembly.Module): void {
  releasingOnFailure(memory, layout, share, () => {
    const limit = new Int32Array(memory.buffer, limitAt, 1);
    const progress = new Int32Array(memory.buffer, layout.progress, layout.shares.length * PROGRESS_STRIDE);
    const runner = new FreeRunShare(memory, layout, share, module);
    for (;;) {
      const until = Atomics.load(limit, 0);
      if (until === FINISHED) return;
      const at = Atomics.load(progress, share * PROGRESS_STRIDE);
      if (at < until) runner.run(at, until);
      else waitWhileEqual(limit, 0, until);
    }
  });
}

/** Runs a share's work; if it fails, releases the others (they would wait for this share forever), then fails. */
function releasingOnFailure<T>(memory: WebAssembly.Memory, layout: FreeRunLayout, share: number, work: () => T): T {
  try {
    return work();
  } catch (error) {
    const progress = new Int32Array(memory.buffer, layout.progress, layout.shares.length * PROGRESS_STRIDE);
    publish(progress, share * PROGRESS_STRIDE, ABANDONED);
    throw error;
  }
}
